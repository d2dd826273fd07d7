ASCII SPSS PORT FILE                    ASCII SPSS PORT FILE                    
ASCII SPSS PORT FILE                    ASCII SPSS PORT FILE                    
ASCII SPSS PORT FILE                    0000000000000000000000000000000000000000
0000000000000000000000000123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrst
uvwxyz .<(+|&[]!$*);^-/|,%_>?`:$@'="000000~-0000123456789000-()0{}\0000000000000
00000000000000000000000000000000000000000000000000000000SPSSPORTA8/202612036/055
7131E/GNU pspp 1.6.23J/x86_64-pc-linux-gnu42O/5B/79/8/LOPNR_KO1/9/0/1/9/0/CL/Stu
diekod (pseudonym)70/2/F15/1/0/5/1/0/89/C4/Kön70/2/F25/1/0/5/1/0/89/CC/Åldersg
rupp70/2/F35/1/0/5/1/0/89/CS/Högsta avslutade utbildning70/2/F45/1/0/5/1/0/89/C
E/Födelseregion70/2/F55/1/0/5/1/0/89/CG/Enkätens språk70/2/F65/1/0/5/1/0/89/C
S/Hälsoverkstad (huvudsaklig)70/2/F85/1/0/5/1/0/B8/9/C1I/Hur bedömer du ditt a
llmänna hälsotillstånd?70/4/F9_15/1/0/5/1/0/B8/9/C1H/WHOQOL-BREF 1: Hur skatt
ar du din livskvalitet?70/4/F9_25/1/0/5/1/0/B8/9/C1H/WHOQOL-BREF 2: Hur nöjd ä
r du med din hälsa?70/4/F9_35/1/0/5/1/0/B8/9/C2K/WHOQOL-BREF 3: Hindrar fysisk 
smärta dig från att göra det du behöver göra?70/4/F9_45/1/0/5/1/0/B8/9/C2C/
WHOQOL-BREF 4: Behöver du medicinsk behandling för att klara vardagen?70/4/F9_
55/1/0/5/1/0/B8/9/C1F/WHOQOL-BREF 5: Hur mycket njuter du av livet?70/4/F9_65/1/
0/5/1/0/B8/9/C1E/WHOQOL-BREF 6: Känns ditt liv meningsfullt?70/4/F9_75/1/0/5/1/
0/B8/9/C1G/WHOQOL-BREF 7: Hur bra kan du koncentrera dig?70/4/F9_85/1/0/5/1/0/B8
/9/C1T/WHOQOL-BREF 8: Hur trygg känner du dig i ditt dagliga liv?70/4/F9_95/1/0
/5/1/0/B8/9/C1M/WHOQOL-BREF 9: Hur hälsosam är din fysiska miljö?70/5/F9_105/
1/0/5/1/0/B8/9/C1Q/WHOQOL-BREF 10: Har du tillräckligt med ork i vardagen?70/5/
F9_115/1/0/5/1/0/B8/9/C1H/WHOQOL-BREF 11: Kan du acceptera ditt utseende?70/5/F9
_125/1/0/5/1/0/B8/9/C24/WHOQOL-BREF 12: Har du tillräckligt med pengar för din
a behov?70/5/F9_135/1/0/5/1/0/B8/9/C2H/WHOQOL-BREF 13: Har du tillgång till den
 information du behöver i vardagen?70/5/F9_145/1/0/5/1/0/B8/9/C1S/WHOQOL-BREF 1
4: Har du möjlighet till fritidsaktiviteter?70/5/F9_155/1/0/5/1/0/B8/9/C1E/WHOQ
OL-BREF 15: Hur väl kan du ta dig runt?70/5/F9_165/1/0/5/1/0/B8/9/C1H/WHOQOL-BR
EF 16: Hur nöjd är du med din sömn?70/5/F9_175/1/0/5/1/0/B8/9/C2J/WHOQOL-BREF
 17: Hur nöjd är du med din förmåga att klara vardagens sysslor?70/5/F9_185/
1/0/5/1/0/B8/9/C1R/WHOQOL-BREF 18: Hur nöjd är du med din arbetsförmåga?70/5
/F9_195/1/0/5/1/0/B8/9/C1I/WHOQOL-BREF 19: Hur nöjd är du med dig själv?70/5/
F9_205/1/0/5/1/0/B8/9/C24/WHOQOL-BREF 20: Hur nöjd är du med dina personliga r
elationer?70/5/F9_215/1/0/5/1/0/B8/9/C1M/WHOQOL-BREF 21: Hur nöjd är du med di
tt sexualliv?70/5/F9_225/1/0/5/1/0/B8/9/C24/WHOQOL-BREF 22: Hur nöjd är du med
 stödet från dina vänner?70/5/F9_235/1/0/5/1/0/B8/9/C1I/WHOQOL-BREF 23: Hur n
öjd är du med din bostad?70/5/F9_245/1/0/5/1/0/B8/9/C2I/WHOQOL-BREF 24: Hur n�
�jd är du med din tillgång till hälso- och sjukvård?70/5/F9_255/1/0/5/1/0/B8
/9/C2A/WHOQOL-BREF 25: Hur nöjd är du med dina kommunikationer/transporter?70/
5/F9_265/1/0/5/1/0/B8/9/C2Q/WHOQOL-BREF 26: Hur ofta har du negativa känslor so
m nedstämdhet, ångest eller oro?70/5/F10_15/1/0/5/1/0/B8/9/CK/EQ-5D-5L: rörli
ghet70/5/F10_25/1/0/5/1/0/B8/9/CG/EQ-5D-5L: hygien70/5/F10_35/1/0/5/1/0/B8/9/C14
/EQ-5D-5L: huvudsakliga aktiviteter70/5/F10_45/1/0/5/1/0/B8/9/CQ/EQ-5D-5L: smär
tor/besvär70/5/F10_55/1/0/5/1/0/B8/9/CQ/EQ-5D-5L: oro/nedstämdhet70/3/F115/3/0
/5/3/0/8138/8139/C29/EQ VAS: din hälsa i dag (0 = sämsta, 100 = bästa tänkba
ra hälsa)70/5/F12_15/1/0/5/1/0/85/89/C3S/Hälsolitteracitet 1: hur lätt eller 
svårt är det att hitta information om behandlingar av sjukdomar som oroar dig?
70/5/F12_25/1/0/5/1/0/85/89/C42/Hälsolitteracitet 2: hur lätt eller svårt är
 det att ta reda på var du kan få professionell hjälp när du är sjuk?70/5/F
12_35/1/0/5/1/0/85/89/C38/Hälsolitteracitet 3: hur lätt eller svårt är det a
tt förstå vad din läkare säger till dig?70/5/F12_45/1/0/5/1/0/85/89/C4O/Häl
solitteracitet 4: hur lätt eller svårt är det att förstå läkarens eller ap
otekspersonalens instruktioner om hur du ska ta din medicin?70/5/F12_55/1/0/5/1/
0/85/89/C44/Hälsolitteracitet 5: hur lätt eller svårt är det att bedöma nä
r du kan behöva en andra åsikt från en annan läkare?70/5/F12_65/1/0/5/1/0/85
/89/C4G/Hälsolitteracitet 6: hur lätt eller svårt är det att använda inform
ation som läkaren ger dig för att fatta beslut om din sjukdom?70/5/F12_75/1/0/
5/1/0/85/89/C3O/Hälsolitteracitet 7: hur lätt eller svårt är det att följa 
instruktioner från läkare eller apotekspersonal?70/5/F12_85/1/0/5/1/0/85/89/C4
I/Hälsolitteracitet 8: hur lätt eller svårt är det att hitta information om 
hur du hanterar psykisk ohälsa som stress eller depression?70/5/F12_95/1/0/5/1/
0/85/89/C57/Hälsolitteracitet 9: hur lätt eller svårt är det att förstå h�
�lsovarningar om till exempel rökning, låg fysisk aktivitet och hög alkoholko
nsumtion?70/6/F12_105/1/0/5/1/0/85/89/C3E/Hälsolitteracitet 10: hur lätt eller
 svårt är det att förstå varför du behöver hälsokontroller?70/6/F12_115/1
/0/5/1/0/85/89/C44/Hälsolitteracitet 11: hur lätt eller svårt är det att bed
öma om information om hälsorisker i media är tillförlitlig?70/6/F12_125/1/0/
5/1/0/85/89/C4B/Hälsolitteracitet 12: hur lätt eller svårt är det att bestä
mma hur du kan skydda dig mot sjukdom utifrån information i media?70/6/F12_135/
1/0/5/1/0/85/89/C4E/Hälsolitteracitet 13: hur lätt eller svårt är det att ta
 reda på vilka aktiviteter som är bra för ditt psykiska välbefinnande?70/6/F
12_145/1/0/5/1/0/85/89/C3T/Hälsolitteracitet 14: hur lätt eller svårt är det
 att förstå råd om hälsa från familjemedlemmar eller vänner?70/6/F12_155/1
/0/5/1/0/85/89/C3O/Hälsolitteracitet 15: hur lätt eller svårt är det att fö
rstå information i media om hur du kan bli friskare?70/6/F12_165/1/0/5/1/0/85/8
9/C3T/Hälsolitteracitet 16: hur lätt eller svårt är det att bedöma vilka va
rdagsvanor som har betydelse för din hälsa?70/5/F13_15/1/0/5/1/0/B8/9/C2E/WHO-
5 1, senaste två veckorna: jag har känt mig glad och på gott humör70/5/F13_2
5/1/0/5/1/0/B8/9/C29/WHO-5 2, senaste två veckorna: jag har känt mig lugn och 
avslappnad70/5/F13_35/1/0/5/1/0/B8/9/C28/WHO-5 3, senaste två veckorna: jag har
 känt mig aktiv och energisk70/5/F13_45/1/0/5/1/0/B8/9/C23/WHO-5 4, senaste tv�
� veckorna: jag har vaknat pigg och utvilad70/5/F13_55/1/0/5/1/0/B8/9/C33/WHO-5 
5, senaste två veckorna: mitt dagliga liv har varit fyllt av saker som intresse
rar mig70/5/F14_15/1/0/5/1/0/B8/9/C38/Självtillit 1: Jag klarar alltid av att l
ösa svåra problem om jag anstränger mig tillräckligt70/5/F14_25/1/0/5/1/0/B8
/9/C2L/Självtillit 2: Om någon motarbetar mig kan jag hitta sätt att få det 
jag vill70/5/F14_35/1/0/5/1/0/B8/9/C28/Självtillit 3: Det är lätt för mig at
t hålla fast vid mina mål70/5/F14_45/1/0/5/1/0/B8/9/C2A/Självtillit 4: Jag ka
n hantera oväntade händelser på ett bra sätt70/5/F14_55/1/0/5/1/0/B8/9/C28/S
jälvtillit 5: Jag vet hur jag ska hantera oförutsedda situationer70/5/F14_65/1
/0/5/1/0/B8/9/C2A/Självtillit 6: Jag kan lösa de flesta problem om jag ansträ
nger mig70/5/F14_75/1/0/5/1/0/B8/9/C30/Självtillit 7: Jag kan vara lugn inför 
svårigheter eftersom jag litar på min förmåga70/5/F14_85/1/0/5/1/0/B8/9/C2E/
Självtillit 8: När jag har problem kan jag oftast hitta flera lösningar70/5/F
14_95/1/0/5/1/0/B8/9/C2D/Självtillit 9: När jag är i knipa kan jag oftast kom
ma på en lösning70/6/F14_105/1/0/5/1/0/B8/9/C21/Självtillit 10: Vad som än h
änder klarar jag oftast av det70/5/F15_15/1/0/5/1/0/B8/9/C1P/Egenmakt 1: Jag ka
n påverka beslut som rör min hälsa70/5/F15_25/1/0/5/1/0/B8/9/C23/Egenmakt 2: 
Jag vet var jag kan få stöd när jag behöver det70/5/F15_35/1/0/5/1/0/B8/9/C2
G/Egenmakt 3: Jag känner mig maktlös i kontakten med vården och myndigheter70
/5/F15_45/1/0/5/1/0/B8/9/C1T/Egenmakt 4: Mina åsikter tas på allvar i hälsove
rkstaden70/5/F15_55/1/0/5/1/0/B8/9/C25/Egenmakt 5: Jag är med och bestämmer va
d vi gör i verksamheten70/5/F15_65/1/0/5/1/0/B8/9/C2B/Egenmakt 6: Det är svår
t för mig att säga vad jag tycker i en grupp70/5/F15_75/1/0/5/1/0/B8/9/C2E/Ege
nmakt 7: Jag kan hjälpa andra i mitt område att ta hand om sin hälsa70/5/F15_
85/1/0/5/1/0/B8/9/C2D/Egenmakt 8: Tillsammans kan vi som bor här förändra sak
er i Lindängen70/8/ENKATDATK/B/0/K/B/0/CT/Datum då enkäten besvarades70/8/TOL
KSTOD5/1/0/5/1/0/C1I/Besvarad med stöd av tolk eller hälsofrämjare70/2/F75/1/
0/5/1/0/C1E/Hur länge har du deltagit i Jämlik hälsa?78F/8/KOMMENTA1/8F/0/1/8
F/0/CT/Övriga kommentarer (fritext)70/3/BMI5/4/1/5/4/1/C1B/Kroppsmasseindex (BM
I), självrapporteradD1/2/F14/1/6/Kvinna2/3/Man3/K/Annat/vill inte ange9/7/Ej sv
arD1/2/F25/1/9/18-29 år2/9/30-44 år3/9/45-64 år4/J/65 år eller äldre9/7/Ej 
svarD1/2/F34/1/16/Förgymnasial eller ingen utbildning2/9/Gymnasial3/E/Eftergymn
asial9/7/Ej svarD1/2/F47/1/7/Sverige2/E/Övriga Norden3/E/Övriga Europa4/S/Mell
anöstern och Nordafrika5/N/Afrika söder om Sahara6/G/Övriga världen9/7/Ej sv
arD1/2/F58/1/7/Svenska2/8/Arabiska3/9/Somaliska4/8/Persiska5/8/Engelska6/R/Bosni
ska/kroatiska/serbiska7/N/Annat språk (med tolk)9/7/Ej svarD1/2/F65/1/I/Munhäl
sa och kost2/F/Kvinnors hälsa3/I/Diabetesprevention4/F/Föräldragrupp9/7/Ej sv
arD1/2/F87/1/A/Mycket bra2/3/Bra3/B/Någorlunda4/7/Dåligt5/E/Mycket dåligt8/6/
Vet ej9/7/Ej svarD1/4/F9_17/1/D/Mycket dålig2/6/Dålig3/N/Varken bra eller dål
ig4/3/Bra5/A/Mycket bra8/6/Vet ej9/7/Ej svarD1/4/F9_27/1/G/Mycket missnöjd2/9/M
issnöjd3/S/Varken nöjd eller missnöjd4/5/Nöjd5/C/Mycket nöjd8/6/Vet ej9/7/E
j svarD1/4/F9_37/1/9/Inte alls2/4/Lite3/9/Måttligt4/6/Mycket5/F/Väldigt mycket
8/6/Vet ej9/7/Ej svarD1/4/F9_47/1/9/Inte alls2/4/Lite3/9/Måttligt4/6/Mycket5/F/
Väldigt mycket8/6/Vet ej9/7/Ej svarD1/4/F9_57/1/9/Inte alls2/4/Lite3/9/Måttlig
t4/6/Mycket5/F/Väldigt mycket8/6/Vet ej9/7/Ej svarD1/4/F9_67/1/9/Inte alls2/4/L
ite3/9/Måttligt4/6/Mycket5/F/Väldigt mycket8/6/Vet ej9/7/Ej svarD1/4/F9_77/1/9
/Inte alls2/4/Lite3/9/Måttligt4/6/Mycket5/F/Väldigt mycket8/6/Vet ej9/7/Ej sva
rD1/4/F9_87/1/9/Inte alls2/4/Lite3/9/Måttligt4/6/Mycket5/F/Väldigt mycket8/6/V
et ej9/7/Ej svarD1/4/F9_97/1/9/Inte alls2/4/Lite3/9/Måttligt4/6/Mycket5/F/Väld
igt mycket8/6/Vet ej9/7/Ej svarD1/5/F9_107/1/9/Inte alls2/4/Lite3/9/Måttligt4/J
/Till största delen5/4/Helt8/6/Vet ej9/7/Ej svarD1/5/F9_117/1/9/Inte alls2/4/Li
te3/9/Måttligt4/J/Till största delen5/4/Helt8/6/Vet ej9/7/Ej svarD1/5/F9_127/1
/9/Inte alls2/4/Lite3/9/Måttligt4/J/Till största delen5/4/Helt8/6/Vet ej9/7/Ej
 svarD1/5/F9_137/1/9/Inte alls2/4/Lite3/9/Måttligt4/J/Till största delen5/4/He
lt8/6/Vet ej9/7/Ej svarD1/5/F9_147/1/9/Inte alls2/4/Lite3/9/Måttligt4/J/Till st
örsta delen5/4/Helt8/6/Vet ej9/7/Ej svarD1/5/F9_157/1/E/Mycket dåligt2/7/Dåli
gt3/O/Varken bra eller dåligt4/3/Bra5/A/Mycket bra8/6/Vet ej9/7/Ej svarD1/5/F9_
167/1/G/Mycket missnöjd2/9/Missnöjd3/S/Varken nöjd eller missnöjd4/5/Nöjd5/
C/Mycket nöjd8/6/Vet ej9/7/Ej svarD1/5/F9_177/1/G/Mycket missnöjd2/9/Missnöjd
3/S/Varken nöjd eller missnöjd4/5/Nöjd5/C/Mycket nöjd8/6/Vet ej9/7/Ej svarD1
/5/F9_187/1/G/Mycket missnöjd2/9/Missnöjd3/S/Varken nöjd eller missnöjd4/5/N
öjd5/C/Mycket nöjd8/6/Vet ej9/7/Ej svarD1/5/F9_197/1/G/Mycket missnöjd2/9/Mis
snöjd3/S/Varken nöjd eller missnöjd4/5/Nöjd5/C/Mycket nöjd8/6/Vet ej9/7/Ej 
svarD1/5/F9_207/1/G/Mycket missnöjd2/9/Missnöjd3/S/Varken nöjd eller missnöj
d4/5/Nöjd5/C/Mycket nöjd8/6/Vet ej9/7/Ej svarD1/5/F9_217/1/G/Mycket missnöjd2
/9/Missnöjd3/S/Varken nöjd eller missnöjd4/5/Nöjd5/C/Mycket nöjd8/6/Vet ej9
/7/Ej svarD1/5/F9_227/1/G/Mycket missnöjd2/9/Missnöjd3/S/Varken nöjd eller mi
ssnöjd4/5/Nöjd5/C/Mycket nöjd8/6/Vet ej9/7/Ej svarD1/5/F9_237/1/G/Mycket miss
nöjd2/9/Missnöjd3/S/Varken nöjd eller missnöjd4/5/Nöjd5/C/Mycket nöjd8/6/V
et ej9/7/Ej svarD1/5/F9_247/1/G/Mycket missnöjd2/9/Missnöjd3/S/Varken nöjd el
ler missnöjd4/5/Nöjd5/C/Mycket nöjd8/6/Vet ej9/7/Ej svarD1/5/F9_257/1/G/Mycke
t missnöjd2/9/Missnöjd3/S/Varken nöjd eller missnöjd4/5/Nöjd5/C/Mycket nöj
d8/6/Vet ej9/7/Ej svarD1/5/F9_267/1/6/Aldrig2/7/Sällan3/B/Ganska ofta4/B/Mycket
 ofta5/6/Alltid8/6/Vet ej9/7/Ej svarD1/5/F10_17/1/C/Inga problem2/E/Lätta probl
em3/H/Måttliga problem4/E/Svåra problem5/O/Extrema problem/kan inte8/6/Vet ej9
/7/Ej svarD1/5/F10_27/1/C/Inga problem2/E/Lätta problem3/H/Måttliga problem4/E
/Svåra problem5/O/Extrema problem/kan inte8/6/Vet ej9/7/Ej svarD1/5/F10_37/1/C/
Inga problem2/E/Lätta problem3/H/Måttliga problem4/E/Svåra problem5/O/Extrema
 problem/kan inte8/6/Vet ej9/7/Ej svarD1/5/F10_47/1/C/Inga problem2/E/Lätta pro
blem3/H/Måttliga problem4/E/Svåra problem5/O/Extrema problem/kan inte8/6/Vet e
j9/7/Ej svarD1/5/F10_57/1/C/Inga problem2/E/Lätta problem3/H/Måttliga problem4
/E/Svåra problem5/O/Extrema problem/kan inte8/6/Vet ej9/7/Ej svarD1/3/F112/138/
6/Vet ej139/7/Ej svarD1/5/F12_16/1/D/Mycket svårt2/D/Ganska svårt3/C/Ganska l�
�tt4/C/Mycket lätt5/6/Vet ej9/7/Ej svarD1/5/F12_26/1/D/Mycket svårt2/D/Ganska 
svårt3/C/Ganska lätt4/C/Mycket lätt5/6/Vet ej9/7/Ej svarD1/5/F12_36/1/D/Mycke
t svårt2/D/Ganska svårt3/C/Ganska lätt4/C/Mycket lätt5/6/Vet ej9/7/Ej svarD1
/5/F12_46/1/D/Mycket svårt2/D/Ganska svårt3/C/Ganska lätt4/C/Mycket lätt5/6/
Vet ej9/7/Ej svarD1/5/F12_56/1/D/Mycket svårt2/D/Ganska svårt3/C/Ganska lätt4
/C/Mycket lätt5/6/Vet ej9/7/Ej svarD1/5/F12_66/1/D/Mycket svårt2/D/Ganska svå
rt3/C/Ganska lätt4/C/Mycket lätt5/6/Vet ej9/7/Ej svarD1/5/F12_76/1/D/Mycket sv
årt2/D/Ganska svårt3/C/Ganska lätt4/C/Mycket lätt5/6/Vet ej9/7/Ej svarD1/5/F
12_86/1/D/Mycket svårt2/D/Ganska svårt3/C/Ganska lätt4/C/Mycket lätt5/6/Vet 
ej9/7/Ej svarD1/5/F12_96/1/D/Mycket svårt2/D/Ganska svårt3/C/Ganska lätt4/C/M
ycket lätt5/6/Vet ej9/7/Ej svarD1/6/F12_106/1/D/Mycket svårt2/D/Ganska svårt3
/C/Ganska lätt4/C/Mycket lätt5/6/Vet ej9/7/Ej svarD1/6/F12_116/1/D/Mycket svå
rt2/D/Ganska svårt3/C/Ganska lätt4/C/Mycket lätt5/6/Vet ej9/7/Ej svarD1/6/F12
_126/1/D/Mycket svårt2/D/Ganska svårt3/C/Ganska lätt4/C/Mycket lätt5/6/Vet e
j9/7/Ej svarD1/6/F12_136/1/D/Mycket svårt2/D/Ganska svårt3/C/Ganska lätt4/C/M
ycket lätt5/6/Vet ej9/7/Ej svarD1/6/F12_146/1/D/Mycket svårt2/D/Ganska svårt3
/C/Ganska lätt4/C/Mycket lätt5/6/Vet ej9/7/Ej svarD1/6/F12_156/1/D/Mycket svå
rt2/D/Ganska svårt3/C/Ganska lätt4/C/Mycket lätt5/6/Vet ej9/7/Ej svarD1/6/F12
_166/1/D/Mycket svårt2/D/Ganska svårt3/C/Ganska lätt4/C/Mycket lätt5/6/Vet e
j9/7/Ej svarD1/5/F13_18/0/6/Aldrig1/D/Lite av tiden2/S/Mindre än hälften av ti
den3/P/Mer än hälften av tiden4/E/För det mesta5/A/Hela tiden8/6/Vet ej9/7/Ej
 svarD1/5/F13_28/0/6/Aldrig1/D/Lite av tiden2/S/Mindre än hälften av tiden3/P/
Mer än hälften av tiden4/E/För det mesta5/A/Hela tiden8/6/Vet ej9/7/Ej svarD1
/5/F13_38/0/6/Aldrig1/D/Lite av tiden2/S/Mindre än hälften av tiden3/P/Mer än
 hälften av tiden4/E/För det mesta5/A/Hela tiden8/6/Vet ej9/7/Ej svarD1/5/F13_
48/0/6/Aldrig1/D/Lite av tiden2/S/Mindre än hälften av tiden3/P/Mer än hälft
en av tiden4/E/För det mesta5/A/Hela tiden8/6/Vet ej9/7/Ej svarD1/5/F13_58/0/6/
Aldrig1/D/Lite av tiden2/S/Mindre än hälften av tiden3/P/Mer än hälften av t
iden4/E/För det mesta5/A/Hela tiden8/6/Vet ej9/7/Ej svarD1/5/F14_16/1/I/Stämme
r inte alls2/H/Stämmer knappast3/J/Stämmer ganska bra4/D/Stämmer helt8/6/Vet 
ej9/7/Ej svarD1/5/F14_26/1/I/Stämmer inte alls2/H/Stämmer knappast3/J/Stämmer
 ganska bra4/D/Stämmer helt8/6/Vet ej9/7/Ej svarD1/5/F14_36/1/I/Stämmer inte a
lls2/H/Stämmer knappast3/J/Stämmer ganska bra4/D/Stämmer helt8/6/Vet ej9/7/Ej
 svarD1/5/F14_46/1/I/Stämmer inte alls2/H/Stämmer knappast3/J/Stämmer ganska 
bra4/D/Stämmer helt8/6/Vet ej9/7/Ej svarD1/5/F14_56/1/I/Stämmer inte alls2/H/S
tämmer knappast3/J/Stämmer ganska bra4/D/Stämmer helt8/6/Vet ej9/7/Ej svarD1/
5/F14_66/1/I/Stämmer inte alls2/H/Stämmer knappast3/J/Stämmer ganska bra4/D/S
tämmer helt8/6/Vet ej9/7/Ej svarD1/5/F14_76/1/I/Stämmer inte alls2/H/Stämmer 
knappast3/J/Stämmer ganska bra4/D/Stämmer helt8/6/Vet ej9/7/Ej svarD1/5/F14_86
/1/I/Stämmer inte alls2/H/Stämmer knappast3/J/Stämmer ganska bra4/D/Stämmer 
helt8/6/Vet ej9/7/Ej svarD1/5/F14_96/1/I/Stämmer inte alls2/H/Stämmer knappast
3/J/Stämmer ganska bra4/D/Stämmer helt8/6/Vet ej9/7/Ej svarD1/6/F14_106/1/I/St
ämmer inte alls2/H/Stämmer knappast3/J/Stämmer ganska bra4/D/Stämmer helt8/6
/Vet ej9/7/Ej svarD1/5/F15_17/1/I/Stämmer inte alls2/N/Stämmer ganska dåligt3
/F/Stämmer delvis4/J/Stämmer ganska bra5/D/Stämmer helt8/6/Vet ej9/7/Ej svarD
1/5/F15_27/1/I/Stämmer inte alls2/N/Stämmer ganska dåligt3/F/Stämmer delvis4
/J/Stämmer ganska bra5/D/Stämmer helt8/6/Vet ej9/7/Ej svarD1/5/F15_37/1/I/Stä
mmer inte alls2/N/Stämmer ganska dåligt3/F/Stämmer delvis4/J/Stämmer ganska 
bra5/D/Stämmer helt8/6/Vet ej9/7/Ej svarD1/5/F15_47/1/I/Stämmer inte alls2/N/S
tämmer ganska dåligt3/F/Stämmer delvis4/J/Stämmer ganska bra5/D/Stämmer hel
t8/6/Vet ej9/7/Ej svarD1/5/F15_57/1/I/Stämmer inte alls2/N/Stämmer ganska dål
igt3/F/Stämmer delvis4/J/Stämmer ganska bra5/D/Stämmer helt8/6/Vet ej9/7/Ej s
varD1/5/F15_67/1/I/Stämmer inte alls2/N/Stämmer ganska dåligt3/F/Stämmer del
vis4/J/Stämmer ganska bra5/D/Stämmer helt8/6/Vet ej9/7/Ej svarD1/5/F15_77/1/I/
Stämmer inte alls2/N/Stämmer ganska dåligt3/F/Stämmer delvis4/J/Stämmer gan
ska bra5/D/Stämmer helt8/6/Vet ej9/7/Ej svarD1/5/F15_87/1/I/Stämmer inte alls2
/N/Stämmer ganska dåligt3/F/Stämmer delvis4/J/Stämmer ganska bra5/D/Stämmer
 helt8/6/Vet ej9/7/Ej svarD1/8/TOLKSTOD2/1/2/Ja2/3/NejD1/2/F74/1/L/Mindre än 6 
månader2/D/6-12 månader3/7/1-2 år4/D/Mer än 2 årF9/JH-2BWA8Q1/3/3/1/5/2/2/4
/4/3/3/1/2/1/3/2/4/3/2/3/2/2/2/4/3/3/3/1/1/3/1/3/4/1/1/1/1/3/26/3/2/3/2/2/3/3/2/
4/4/2/5/3/3/4/3/0/0/0/2/2/3/3/4/2/1/2/3/3/3/3/4/5/2/5/4/2/5/4/J2L3I00/2/1/8F/Jag
 tycker om yoga på tisdagar och att träffa andra i hälsoverkstaden. Svårt at
t hinna med när barnen är sjuka; bättre tider på kvällen vore bra. Maten vi
 lagade tillsammans var god, särskilt grönsakssoppan med örter. Ibland först
år jag inte10.F/9/JH-2S4PEB2/2/3/6/4/3/3/4/2/3/2/3/4/3/3/3/4/5/2/3/3/4/3/3/2/3/
3/4/4/4/4/3/2/2/1/2/1/1/20/4/5/2/2/3/3/3/3/3/2/2/3/3/3/5/3/4/4/3/3/4/3/4/4/4/4/3
/3/4/4/4/4/4/3/4/2/2/3/4/J2JFI00/1/3/8F/Svårt att hinna med när barnen är sju
ka; bättre tider på kvällen vore bra. Maten vi lagade tillsammans var god, s�
�rskilt grönsakssoppan med örter. Ibland förstår jag inte alla ord, men häl
sofrämjarna förklarar gärna igen. Jag tycker om yogaS.9/9/JH-44HHG61/2/1/4/2/
2/4/2/3/4/4/1/1/2/2/3/3/2/2/1/3/3/2/3/3/2/5/4/4/1/3/3/4/2/1/2/4/3/1D/3/3/4/3/1/4
/4/5/4/4/3/3/3/5/4/3/1/1/1/1/3/4/4/3/4/4/4/4/3/3/4/3/3/4/3/3/3/2/3/J2K4O00/2/4/8
F/Maten vi lagade tillsammans var god, särskilt grönsakssoppan med örter. Ibl
and förstår jag inte alla ord, men hälsofrämjarna förklarar gärna igen. Ja
g tycker om yoga på tisdagar och att träffa andra i hälsoverkstaden. Svårt a
tt hinna med närS.9/9/JH-4IW0Y41/3/3/1/1/1/3/3/3/3/2/3/3/3/5/4/3/3/2/3/2/4/3/4/
3/1/5/5/4/3/4/4/3/1/1/1/1/4/1K/3/4/3/2/3/3/2/1/3/3/1/1/2/3/1/3/1/3/1/2/2/2/2/2/2
/2/2/2/1/1/3/1/2/5/3/2/5/3/1/J2MOO00/2/1/8F/                                    
                                                                                
                                                                                
                                                           R.C/9/JH-5DUY5U1/2/3/
5/3/3/3/3/2/4/3/4/4/3/5/4/2/4/5/4/5/2/2/3/2/1/4/5/4/4/5/5/2/3/1/2/4/2/1L/4/3/4/3
/3/3/4/4/4/4/3/2/5/3/4/4/4/3/3/3/1/2/3/2/3/3/2/3/2/3/3/5/4/1/5/5/3/5/4/J2NAO00/2
/4/8F/Jag tycker om yoga på tisdagar och att träffa andra i hälsoverkstaden. 
Svårt att hinna med när barnen är sjuka; bättre tider på kvällen vore bra.
 Maten vi lagade tillsammans var god, särskilt grönsakssoppan med örter. Ibla
nd förstår jag inteP.9/9/JH-5P7HFK1/3/2/1/1/1/2/4/3/3/3/2/1/2/3/3/2/3/3/4/3/3/
2/2/2/3/4/3/3/4/5/3/3/2/1/2/3/4/25/4/4/4/4/3/3/3/3/3/3/3/3/2/3/2/3/2/2/1/1/2/2/3
/2/3/3/2/1/2/1/2/3/4/4/4/2/3/3/4/J2LA+3/2/1/8F/                                 
                                                                                
                                                                                
                                                              I.F/9/JH-6QUL5U1/3
/1/5/3/3/5/3/2/3/4/3/3/2/2/2/1/3/1/2/1/2/1/2/1/2/4/4/4/3/2/2/5/2/1/4/3/2/1Q/3/3/
3/2/3/3/3/2/3/3/1/2/3/2/2/3/1/2/1/2/3/3/3/3/3/4/4/3/4/3/4/4/5/1/5/4/2/4/4/J2LJI0
0/2/3/8F/Maten vi lagade tillsammans var god, särskilt grönsakssoppan med ört
er. Ibland förstår jag inte alla ord, men hälsofrämjarna förklarar gärna i
gen. Jag tycker om yoga på tisdagar och att träffa andra i hälsoverkstaden. S
vårt att hinna med när10/9/JH-9QCI9K2/1/3/4/2/4/1/3/3/1/2/2/3/4/4/3/4/3/3/2/3/
3/3/5/3/4/8/3/5/3/2/4/3/1/1/1/2/1/2F/3/4/2/3/1/3/3/3/3/3/5/3/3/4/2/2/3/3/3/2/4/3
/2/3/2/3/4/3/3/3/3/3/4/3/4/3/9/2/4/J2K8+3/1/2/8F/                               
                                                                                
                                                                                
                                                                K/9/JH-9R65M61/2
/2/3/6/2/4/2/3/4/2/2/1/1/3/3/3/3/3/4/4/3/3/3/4/1/2/2/3/3/4/3/5/1/1/1/1/3/1K/3/3/
3/2/1/1/3/1/3/2/1/1/1/5/1/2/0/2/0/1/1/3/3/3/2/2/2/3/1/2/2/4/4/3/3/3/3/3/2/J2LJI0
0/1/1/8F/                                                                       
                                                                                
                                                                                
                        Q.R/9/JH-9T5WJB1/2/2/4/2/1/1/5/5/1/1/4/5/5/3/4/3/4/3/2/3
/4/4/5/5/5/5/5/5/2/4/3/1/1/1/1/1/1/3A/3/2/2/3/1/1/3/1/3/4/1/2/1/2/2/3/4/5/4/5/5/
4/4/4/3/4/4/3/9/4/3/5/5/1/5/5/1/5/8/J2N1600/2/1/8F/Svårt att hinna med när bar
nen är sjuka; bättre tider på kvällen vore bra. Maten vi lagade tillsammans 
var god, särskilt grönsakssoppan med örter. Ibland förstår jag inte alla or
d, men hälsofrämjarna förklarar gärna igen. Jag tycker om yogaP.I/9/JH-BO35E
21/1/3/4/1/4/1/5/2/2/1/9/5/5/3/5/4/5/3/2/3/3/2/3/3/5/4/5/3/3/3/3/1/1/1/1/2/1/2P/
3/4/4/4/3/4/3/3/4/3/3/3/3/4/4/4/5/4/5/5/5/3/3/2/3/4/3/3/3/3/3/3/2/3/3/2/3/3/3/J2
KHI00/2/3/8F/Maten vi lagade tillsammans var god, särskilt grönsakssoppan med 
örter. Ibland förstår jag inte alla ord, men hälsofrämjarna förklarar gär
na igen. Jag tycker om yoga på tisdagar och att träffa andra i hälsoverkstade
n. Svårt att hinna med närQ.F/9/JH-D4ZBPY1/3/2/3/6/3/3/3/2/4/3/3/3/3/2/2/3/4/2
/4/2/4/1/2/1/5/5/4/5/4/3/4/4/1/1/3/2/2/27/4/3/3/4/4/4/4/9/4/4/4/4/4/4/4/5/2/4/2/
3/3/3/1/1/3/2/3/2/2/2/2/5/5/1/5/3/9/5/5/J2NKC00/2/2/8F/                         
                                                                                
                                                                                
                                                                      R/9/JH-DCH
J3W1/4/3/4/2/2/3/2/2/4/4/3/3/2/3/3/1/3/3/3/2/4/2/2/1/2/3/2/9/3/3/3/3/2/1/1/5/1/2
C/4/4/4/4/4/3/4/4/9/3/3/3/3/4/4/4/3/2/2/3/3/3/2/2/1/2/3/2/4/3/3/4/4/3/4/5/2/4/4/
J2N7I00/2/3/8F/Jag tycker om yoga på tisdagar och att träffa andra i hälsover
kstaden. Svårt att hinna med när barnen är sjuka; bättre tider på kvällen 
vore bra.                                                                       
                              O.L/9/JH-E6C1SV1/4/2/1/1/1/2/3/3/1/2/3/5/3/3/4/5/4
/3/3/3/5/5/5/4/5/2/1/2/3/3/4/1/1/1/1/1/1/35/4/4/4/4/3/4/4/4/4/4/4/4/4/4/4/4/3/3/
4/4/4/3/3/4/3/3/4/3/4/3/4/3/4/3/3/3/3/2/5/J2LGC00/2/4/8F/Svårt att hinna med n�
�r barnen är sjuka; bättre tider på kvällen vore bra. Maten vi lagade tillsa
mmans var god, särskilt grönsakssoppan med örter. Ibland förstår jag inte a
lla ord, men hälsofrämjarna förklarar gärna igen. Jag tycker om yogaT.I/9/JH
-E851I31/2/2/4/2/3/1/4/4/3/1/4/4/5/4/2/4/5/2/2/2/5/4/3/3/5/4/2/2/2/3/1/3/1/1/1/1
/1/2K/3/2/1/1/2/3/3/3/3/3/3/2/3/3/2/5/5/5/4/3/5/4/4/4/4/4/4/4/4/4/4/4/5/1/5/4/1/
5/4/J2NAO00/2/1/8F/                                                             
                                                                                
                                                                                
                                  K.R/9/JH-G4E0P91/2/1/1/1/3/3/3/3/4/4/3/4/4/1/3
/1/3/1/3/2/1/1/3/2/4/4/3/2/3/3/4/3/3/1/5/4/3/25/4/3/2/3/2/2/2/3/2/2/3/2/3/3/3/3/
2/2/9/9/4/3/3/2/2/2/3/2/2/3/3/1/2/5/2/1/5/1/2/J2MF600/2/3/8F/                   
                                                                                
                                                                                
                                                                            T.6/
9/JH-K47O8B1/3/3/4/4/4/2/4/4/1/2/2/3/2/5/4/4/3/3/5/4/4/3/5/9/3/4/3/3/4/5/5/3/1/1
/1/1/4/2A/4/4/4/4/2/3/5/4/4/4/5/3/4/4/3/5/3/3/2/3/2/3/4/3/4/3/3/3/3/4/3/4/5/3/5/
3/2/4/3/J2MS+3/1/4/8F/Jag tycker om yoga på tisdagar och att träffa andra i h�
�lsoverkstaden. Svårt att hinna med när barnen är sjuka; bättre tider på kv
ällen vore bra. Maten vi lagade tillsammans var god, särskilt grönsakssoppan 
med örter. Ibland förstår jag inteJ.6/9/JH-M6PEDN1/2/3/4/1/3/4/3/3/2/3/2/2/3/
1/1/2/2/1/1/1/4/2/4/2/3/5/3/3/1/1/2/5/1/1/1/1/3/28/3/3/3/4/3/4/3/2/2/4/2/3/3/4/3
/2/1/3/1/2/0/3/4/4/4/4/4/2/3/3/3/4/4/3/4/4/5/2/4/J2N4C00/1/3/8F/                
                                                                                
                                                                                
                                                                               1
0.L/9/JH-NIC5JF1/2/2/5/3/1/1/5/3/3/3/5/5/5/4/3/4/5/3/4/1/3/3/4/4/5/4/3/3/5/3/4/2
/1/1/1/1/1/3A/4/5/4/3/4/3/4/4/4/4/4/5/3/5/4/4/5/5/5/5/5/3/4/4/3/4/4/3/3/3/3/4/4/
2/4/3/2/4/4/J2L0C00/1/1/8F/Maten vi lagade tillsammans var god, särskilt gröns
akssoppan med örter.                                                           
                                                                                
                                          O/9/JH-PJ4CPP1/3/3/1/1/1/3/3/3/2/3/4/3
/3/4/5/2/3/5/4/5/3/4/2/3/4/4/9/4/5/5/4/2/1/1/1/3/1/29/4/4/4/4/3/4/4/3/3/3/4/3/4/
4/3/3/4/4/3/3/5/3/3/3/3/4/4/4/4/4/3/3/3/3/3/3/2/4/9/J2N1600/2/3/8F/             
                                                                                
                                                                                
                                                                                
  R.F/9/JH-RJ0WB62/3/3/4/2/1/1/5/3/2/3/3/3/4/5/4/4/3/4/5/5/3/2/4/9/4/5/8/5/9/5/5
/3/1/1/1/2/2/2Q/3/5/2/3/3/4/5/1/4/4/3/3/3/2/3/3/3/3/4/3/2/3/3/3/3/3/3/3/2/3/3/9/
3/3/3/2/9/3/2/J2MF600/2/4/8F/                                                   
                                                                                
                                                                                
                                            12/9/JH-SW46QH1/2/3/4/2/4/2/2/4/3/3/
4/4/4/2/3/2/4/1/3/2/4/3/3/2/4/1/1/3/2/3/2/3/3/1/1/1/1/20/2/3/4/3/3/3/4/5/3/3/4/3
/3/3/4/3/4/4/2/4/2/3/3/3/2/4/4/3/3/3/3/2/2/3/3/4/4/3/2/J2M8O00/1/4/8F/Svårt att
 hinna med när barnen är sjuka; bättre tider på kvällen vore bra.          
                                                                                
                                                                                
     H.9/9/JH-UGULGO1/2/2/4/4/1/2/4/2/4/3/3/3/5/3/2/3/3/1/3/3/3/2/3/3/3/3/3/2/2/
3/2/1/1/1/1/3/2/2A/1/1/1/2/1/1/2/2/2/5/1/1/1/1/1/2/3/3/2/4/5/3/3/2/3/3/3/3/2/2/3
/5/5/2/4/3/2/4/9/J2MF600/1/1/8F/Maten vi lagade tillsammans var god, särskilt g
rönsakssoppan med örter. Ibland förstår jag inte alla ord, men hälsofrämja
rna förklarar gärna igen. Jag tycker om yoga på tisdagar och att träffa andr
a i hälsoverkstaden. Svårt att hinna med närO.L/9/JH-ULPIGD1/3/2/3/6/3/2/4/3/
2/3/3/3/3/4/2/4/2/2/4/5/3/3/3/2/2/4/4/3/3/3/4/4/1/1/2/2/2/1Q/2/1/4/2/2/2/3/2/3/5
/2/3/5/5/3/3/3/2/2/2/1/2/3/3/3/3/3/3/9/3/4/3/4/2/3/3/3/3/4/J2L3I00/2/1/8F/      
                                                                                
                                                                                
                                                                                
         S.9/9/JH-V8S6GF1/2/3/2/1/4/4/5/3/3/4/3/4/3/4/3/1/4/3/4/4/3/3/2/2/4/3/3/
5/9/3/5/2/1/1/3/3/1/139/4/4/4/4/3/4/4/4/4/4/4/4/4/4/4/4/3/4/3/4/3/4/4/4/3/4/4/4/
4/4/4/4/4/9/4/3/3/3/3/J2JFI00/2/1/8F/Jag tycker om yoga på tisdagar och att tr�
�ffa andra i hälsoverkstaden. Svårt att hinna med när barnen är sjuka; bätt
re tider på kvällen vore bra. Maten vi lagade tillsammans var god, särskilt g
rönsakssoppan med örter. Ibland förstår jag inteT.I/9/JH-YRU5XI1/2/3/4/2/2/5
/1/1/3/3/3/3/2/5/5/2/3/2/4/4/3/2/3/2/2/3/2/2/4/5/4/3/4/1/3/3/3/1F/4/4/5/4/4/4/4/
4/5/3/3/5/4/4/4/4/3/2/1/1/2/2/3/3/3/2/3/3/2/1/2/2/4/3/4/1/4/2/2/J2MOO00/2/1/8F/S
vårt att hinna med när barnen är sjuka; bättre tider på kvällen vore bra. 
                                                                                
                                                                                
              11.C/9/JH-YWD8TN2/2/2/4/1/1/2/3/3/3/2/4/3/3/3/3/2/3/3/9/3/3/3/3/3/
3/4/4/4/3/3/4/3/1/1/2/1/2/26/4/4/4/4/3/4/4/9/4/4/3/4/4/5/4/4/4/3/2/1/4/9/2/3/3/3
/2/2/2/4/4/5/4/1/5/4/2/4/5/J2K4O00/2/1/8F/Maten vi lagade tillsammans var god, s
ärskilt grönsakssoppan med örter.                                            
                                                                                
                                                         S.C/9/JH-ZBL90R1/3/3/5/
3/3/2/3/3/3/2/3/1/2/4/4/3/2/5/4/2/2/3/3/9/2/4/2/9/3/4/5/3/1/1/1/1/2/1I/4/4/4/3/3
/4/4/3/4/3/4/3/5/4/4/4/2/3/0/1/2/4/3/3/3/3/4/4/2/3/3/5/5/2/4/4/1/4/4/J2NAO00/1/2
/8F/                                                                            
                                                                                
                                                                                
                   S.3/9/JH-ZUSGQQ1/2/2/4/2/1/2/3/5/1/2/4/4/4/2/1/3/5/1/1/2/5/5/
5/4/3/1/1/3/1/2/2/1/1/1/1/1/1/2N/3/2/1/1/1/1/2/1/3/2/1/1/1/1/2/1/5/5/4/4/4/3/2/1
/1/2/3/3/3/1/3/2/2/2/2/2/3/2/2/J2NKC00/1/4/8F/Jag tycker om yoga på tisdagar oc
h att träffa andra i hälsoverkstaden. Svårt att hinna med när barnen är sju
ka; bättre tider på kvällen vore bra.                                        
                                                             Q.C/9/JH-ZZYOLK1/1/
2/4/4/1/3/2/4/2/3/2/3/2/2/3/3/4/2/2/1/4/3/4/4/1/5/4/5/1/2/2/5/1/1/1/2/4/21/3/3/4
/3/3/3/4/3/4/4/2/3/4/5/4/5/0/2/0/2/2/3/3/3/4/3/4/3/4/4/4/4/3/3/4/3/2/3/4/J2MLI00
/2/2/8F/Svårt att hinna med när barnen är sjuka; bättre tider på kvällen v
ore bra. Maten vi lagade tillsammans var god, särskilt grönsakssoppan med ört
er. Ibland förstår jag inte alla ord, men hälsofrämjarna förklarar gärna i
gen. Jag tycker om yogaR.3/ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ
