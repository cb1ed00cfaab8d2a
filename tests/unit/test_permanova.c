/* Unit tests for kernels/permanova.c, perm.c, gower.c and betadisper.c against vegan 2.6-4 /
 * R 4.2.2 (docs/STATS.md S2 and S7): adonis2 test vector A (by terms, margin and NULL) with
 * R's own permutation matrix, the small-n complete enumeration, an aliased design,
 * betadisper(type = "centroid") with permutest, the blocked kernel against a naive
 * permuted-matrix computation, thread / range invariance, the permutation planner and bad
 * input. Random test data use fixed seeds (printed). The largest relative error against R is
 * printed at the end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include <cmocka.h>
#include <lapacke.h>
#include "permanova.h"
#include "diversity.h"
#include "perm.h"
#include "gower.h"
#include "betadisper.h"
#include "gb_status.h"
#include "fixture_dune.h"

/* ---- fixtures, printed by R 4.2.2 / vegan 2.6-4 ----------------------------------------------
 * dune data: tests/unit/fixture_dune.h (shared with test_lm.c and test_transform.c).
 * shuffle_seed42 = set.seed(42); shuffleSet(20, 999), shuffle_seed7 = set.seed(7);
 * shuffleSet(20, 999): one string per row, letter 'a' + k - 1 for R's index k. */
/* 0-based Management codes, levels in sorted order BF HF NM SF (set up by main). */
static int management[20];
static const double *const a1 = DUNE_A1, *const moist = DUNE_MOIST;

static void set_management_codes(void)
{
    static const char *const levels[4] = {"BF", "HF", "NM", "SF"};
    for (int i = 0; i < 20; i++)
        for (int l = 0; l < 4; l++)
            if (!strcmp(DUNE_MANAGEMENT[i], levels[l])) management[i] = l;
}

static const char *const shuffle_seed42[999] = {
    "qeajdbtrhgpisfnolcmk", "demstblhcjarfniopqgk", "edbchgatjrflksqmpion", "jheaqgdmtinkcsrflbpo",
    "brqenhgosdikptmcajfl", "pqlisenktjhgfaomrcbd", "kjsatimocqfhglredpbn", "qrbftpodlsjgmnhkaiec",
    "bkntlqsjifeapmcdohrg", "mkqdrsainlpothjbcfeg", "emlancrthfgjiqpkobsd", "opafkiqjnldgstbercmh",
    "bfanprkltgmdiqeocjsh", "triklfjsgncmqhdeobpa", "qlfoijhbgsecmaktnpdr", "npdfreskjamtoqgihlcb",
    "ergmjnfblcadkpoqhits", "ljiongcfdsbqakphrtem", "rsjpbtdioganfcmkqlhe", "gsbfihkqejaprndtclom",
    "fejbgdinomcqkalsphtr", "dihpjlqgkmfscbnatreo", "sjmfakrtnlphdqbicoeg", "pltchegqjosnmkibrfda",
    "kmcjrbgdelqatfnophis", "lmroeakhbfcjspgqnidt", "fheijklpongatmdscrbq", "cmphrtikgblenjdsoaqf",
    "phrjomlcdfqbsaetkgni", "boenrjaltkfqmgphdsic", "hnasetboqpjclmgfirkd", "hsbkortnjpfdgailcemq",
    "sktlabdgpncqrihmojef", "hcmbgdikljarfpoqnste", "isebtchlqknmfjpadogr", "hsofcandlirqmkjtpbeg",
    "qkiscatomhblgfjerndp", "rdognjcqehflimbapskt", "mgjqbdarlhkfitscpnoe", "bdhonajeqlpskfgctrim",
    "incdrgalhefqkptjmosb", "ctigkqlmadsjbfenohpr", "recjhigmkqnsalfdotbp", "eskqghjlfdrctoabminp",
    "atrcnegfshqbimkpdljo", "ohcbafrkjetpnlgqsdmi", "cbfspnioeadjrqtglkmh", "khgalscodbenfjprtmqi",
    "geakbptjfsdqlrhncmoi", "secmrtqibdlafhgkopjn", "qjsifkhcgrlnoedtbamp", "jrphesgtblnadmqkoicf",
    "qmflcaktnpegjhsdriob", "ohfkbandeltjripgmqcs", "mrjcalespkghdfnoiqtb", "sopcbfngjlkqhadmreti",
    "hmteaionrcpjfkqgsldb", "mnsldhkbojtercqpafgi", "oslkimhpncrbqetdfjag", "nsdpoghikcjbelqmrfat",
    "jemtaqgcohbflnsdrkip", "minlbgqrfcpjheatksdo", "afdtmoqnjkibecsgplhr", "iefkscrhmajltdpqobng",
    "kjroqpcmdgtinlbeahsf", "aikenrcqlomhfjdgsbpt", "gmjpdbslaqnriehockft", "kgjpsclberndoqhaftim",
    "djcgfakstmlnirpbqheo", "cfjskarnteiohmlgdqpb", "qsnafprtdlhikgjbcmoe", "pmqoajgchirbklfdestn",
    "ngelftraosqpdjmhibkc", "safklcmthnoqebdpjgir", "glamocinhfqtjepskdbr", "scamirjpogendqkfltbh",
    "jobmkldsgctahipqnefr", "ibnlmsqfrktjcdoaehpg", "slntpdgfoeqjakmhrbic", "nibsolhprjgtmcqekdaf",
    "qdgebmlnsrfpkjhoiatc", "rclmpeoshbaqdgjtfkin", "bcafiosnreqjpdkmhtgl", "ocsqdahbtfeminprjglk",
    "ckfilstdgpjbqhrmeaon", "tdqoglrsipbefcjmkahn", "jhfoagmeplcritkbqnsd", "lbsrdhjecqmtkpnfiaog",
    "dtqalbshmjkoecgnpfri", "pmnojebgdtsraqhiflkc", "gbltnamkhosedicrfqpj", "lsctigqkmbjfdrphaeon",
    "qfbcpljmkdiharegnsot", "inbasfmcpqtojdelgkhr", "fnbihmktacepjsdlgqor", "oklneijsahqbcmgdfprt",
    "tbfekagndimcrqohpslj", "hcqorasklefpntmbgjid", "mhrglqdjstcneobikafp", "jtfriqgdseacbkhlmpno",
    "hblrfnqjoctgkpeamsid", "cartbmjgsqdnehoipfkl", "bpdqnmkciegloshrtjfa", "pqrbcekisdagnolhjtmf",
    "hkcneamgiqoslrjfbptd", "edlsgmnkfbiotpacqjhr", "ctrepofisbnajqdklghm", "onjcqfhadmbgiletskrp",
    "mdgtobhpiecqkflransj", "haokfndjgrbisemctqpl", "aigkeprlbdjtmscqhnof", "torgqblcmpfisejahndk",
    "qaofepmgrjklsihcbntd", "slaieorcbdhgkmnjqtfp", "rgjfkqcialdhopembstn", "pcanomiqdtgsjeklhrfb",
    "dptgjhlembsnqriafock", "bnqokejpflscmaigdrht", "nefhjsipmqabtogldckr", "jmascthrnodiepkblqfg",
    "msdrjelqnkofbaitcpgh", "jlmqgheoasdbpnrktcif", "cgpkomdabiehqnlfrstj", "niqblcsdpmotrgfhjeka",
    "pskhngdcmoebjritlqaf", "lmojdeqfgkrsnaibptch", "tgclfokndpesqhbamirj", "tkjpgoqdlesmaifhbrnc",
    "ktedonpiqchamlrsfgbj", "cmdqgelntbsirjhkafop", "agdloqbirhtsmkjnpecf", "kmdlfajgihpnboestrcq",
    "atflqcnebphsidrjkgom", "hqtodcpageskijbmlrfn", "nokreqbcgidfhpajstlm", "bcpoqlajtghskdenifmr",
    "cirlenktfmsadgohbpjq", "ergnpjfditamhcqobskl", "jigeoscbaqfnkprhmltd", "cnkgatbjileprqmsdohf",
    "pthidgjanscmfblrokqe", "hbesalndgprtcmqkjifo", "npjcogmhfiredbtqklsa", "ianmpqrkclefogbtdhsj",
    "gjrdknhfbposltacimqe", "niohsacpjgtfkblemdqr", "mnqklbdcipasrogjtfeh", "eiahdmtknjocpqlbrfsg",
    "cptikjhdenrqagsfombl", "diqrekojahmpnfsclbgt", "pbmrkcdtlfenjahqisgo", "crdepiotnbkshljgmfqa",
    "tpbodqrihleasmnkfjgc", "npftcjaqomlhdsirbegk", "cmaoesdqblnpjrihgftk", "dnpetjsoakgilrhqfbmc",
    "beodhcqigmakpltsrnfj", "jtdegbmrocknhsilqpfa", "nmaksqclhjoeditgrfpb", "htpagfiosrldjemncqkb",
    "pdnksitmaecrjbglhofq", "elbsrgdfmnpachqtoijk", "aklghfcdnorbipjmseqt", "ksqefhjmpblodatrginc",
    "orsljqbakchpfgindmet", "kfnresigdlpbojcqamth", "sdgjkrnhltoqefibampc", "fmidqjhgrbsecplontka",
    "shrmdelbjiqfganotpkc", "bhgksopiadeflmnjrqct", "ernoaklfdsqhmpjctgbi", "pgsiqelohcbjdkfrmnat",
    "djqmksbrltgcaoenhifp", "jlgrpibadcotnqkmfhse", "eslrbomgdpaikcjfnqth", "lnoacfbemhjdsikqrptg",
    "gheoadlqnskricjmpbft", "pgfanjdtbhksorlmciqe", "kndcgljoeiabqpmfrths", "lmptfjhskocqdrenabgi",
    "dnhtqfeslikgbpoajrcm", "gtlerdnpbfikjoasqmhc", "sdqiljpaenogrkchbtmf", "mphognliqbjedkfcarst",
    "plbtsorqefjkdciahmgn", "itblkrogpmjencdsfqha", "qbklgajcmrfndpoehsit", "glshfitmjbcapernoqkd",
    "jprlihogcbatdnsfmkqe", "abkctjdhnomiqgplfsre", "qolhfbedrgtpmsncaijk", "cdbtrnpqhiajgkmelofs",
    "agbficetkmnsdoljqrhp", "bedthjasqkncpfomlgir", "dpgknrqmftabliohecsj", "ibfdlrosaqnpckthjegm",
    "eshtfpdkbjcaqgmnlroi", "oemtpnhlrfgjkbadcsqi", "sgfcrhdelkbaqitpnmoj", "nehrikaljcfomtgqbdsp",
    "kbofreglajintmdscpqh", "inosdrqmkbhlapgjctfe", "hoqigkbeafsrlcdmtpnj", "mbajktgseprlcodfhqni",
    "cbgoelakmfdhirtqspnj", "qgesdlpntkrifmhajboc", "mbiahjkfqlpderntsogc", "qastchiejmbfdlpokrng",
    "mqndlfjrhatkbscgepoi", "hibormekpfaljncqtdsg", "tfbdrpmqecjihsagnokl", "nbrdiqmgfplkhoetcajs",
    "kprfhgdbcoleisjatmqn", "htemjbpcnaogfirksdql", "igsorjenmqhltfabkdpc", "jqblchofngiedmksptra",
    "plegtchfriqsomdjbkan", "qisdmhfcepjgktnorbla", "rnibalsqckdmgjopthef", "kgiarnlpcthbosfemdqj",
    "gqfcaridjltoesbkpmhn", "ptcjfkbdrmiqloehsang", "bqpsrlkjmfotgneaidch", "gsfomiphtkqndbclreja",
    "ahqcoirdespnjgtmflkb", "lomjsqkndpitfachgerb", "gntmeiokphfqardljscb", "cmpknaqsdilorefjghbt",
    "slcadjterfmqhnbokpig", "ajbpmqocstkghnlrfdei", "pacsiqbghdfonjmkrlet", "fatesjndirkqcmboghpl",
    "bahslqgfmdcorenpitkj", "ihsngtqbaelfrmcpjokd", "hetfcrladgqomijpknbs", "djkmergtospclhnifaqb",
    "etpbndrimgjlacskqohf", "tsbpnlkjfodqgmrcheai", "cqdkpbfsjarlhinetgom", "bjthoqieamdrgkcflpsn",
    "jkcsdmpibanelqhogfrt", "btkncsdqgerjopmfihla", "sckdfjgemhpaoinlrtqb", "jrhbdkectlgsiqanmpfo",
    "adrfgjbektholcqpmins", "pkbgonqematfhclirjds", "petsilagdohrqjnmfbck", "stgkqibhajpomnfceldr",
    "tefdgoqpnbiskjhcraml", "fqhbscgajnkltipdorem", "iomqajkprcfetglbhdsn", "nlbjemaqprfdicgktohs",
    "hdmbsatgiojnqplckfer", "faenolkqshcibpdgjmrt", "cbtormdihfejaksgqnpl", "tmbsdijlqopgakfhrnec",
    "rfkeihdnqcaljstbgmpo", "caqtilsbnpfmdokhregj", "djbqsplkgarnfciteohm", "danklqehbrpjftsmigco",
    "fgkmtobsenqljcpardih", "aeqlnpjrdtgkoibcfsmh", "gfnmrhsecdkitljoqpab", "njbsefdoticqharlgmkp",
    "sflhqjdgiebrcoatkmnp", "icaknoqgtpjlsfehdrbm", "fpcedltnrihmgajboksq", "cbejitosgmrfpalknqhd",
    "gjdrsbptnikcqoefhalm", "crlsieakptjdofhbqnmg", "lnchrkoqdtbajmpsgife", "nfltjsgdhpqebacomrik",
    "mfjkaitdboecngqrhpsl", "sionmhkqjgfdrplabcte", "asqihorpfbdgljkmentc", "gerfjptqoclnmisbahdk",
    "cnohtiljrgqfepbaksdm", "njsfqhclerikmtdopbga", "lrbhfkiqjecsnpmgadto", "matklgnfspjoicdhqber",
    "djnmgqhlsiofrpbaktec", "jsorhapibnfdkmleqtcg", "lbipadsnogrqmftehkjc", "hdopigjrnlqsbcfekmat",
    "qpgelscmjhnrdibkfoat", "ejdbracmqfoshkiglpnt", "dqekholfnmatgbrsipjc", "lmborhgckeiaqptsnfdj",
    "ktcmbidalponrjqsghfe", "fkqimhsgbpdcrnajoetl", "blagdicthokpsjrfeqmn", "grhaeciksmotlbjnfpqd",
    "rjmqlonkbpcedsthgafi", "tqlseadmpboicfhrkngj", "jrakqptfchmbdiloegsn", "tmkipnohledrcfbqjags",
    "rcfpikdasnmbgoqtljeh", "esifparhonlcmtjdqkbg", "lfrganidjoqpktsbehmc", "rkqnpefatboimjhdclsg",
    "bdfplgrkqantjecsmohi", "tdpjemlrckhaqgsfnboi", "drcsjmhoeniqkftlpgab", "osnahfgdrcepqkmbtjil",
    "ebkcdotrpfsjaqhnmlig", "kgjasqptdfribonmlceh", "gnaeltbfopsqchkrdijm", "hjctndpaqeobmlsikgfr",
    "dtmfskbnqohperjgcail", "jlpmrcqnatdohekfbgsi", "tflokbsjgmndcrqeapih", "dtjokesmphanigbrqlfc",
    "eafdhibsqpogknjlrctm", "gpidclmkasjqhotnbref", "nlfbceipahkmsqjtrgod", "seatdcbfmpjoghqknrli",
    "eolmjnbfarchdgitskqp", "fcbetksjrpmlaiqnghod", "seamojnrgifkqhtbclpd", "sqrbiolnpmfdktejhcga",
    "kjgsnafmdtcqoirhpbel", "iqrosfpbhmkcadntljge", "henkifqopdrsljbgtmca", "bcqhinrtselfmakjdpgo",
    "ebldkrmtajsnocpfgqih", "hilgksfpenmcqrdbaotj", "khclbqemojidsgatprfn", "eistlfrgabodmcjqhpnk",
    "ejqfapsomblcndtrihgk", "iejrsphdflmancbktoqg", "krqgtsioclfdbhmnapej", "kqoafpdmjtlgnshercbi",
    "psiljqgacrtkeombhndf", "hesalbnfrkogqmjctpid", "sqedmknthfiacrgjobpl", "fecotbimjdrsnkhpqlga",
    "gfjdcskapnteqirhmlbo", "bkenlcrihsmfdqgapotj", "dtecfrobkijnhgqlsapm", "apmfoedrtsgjlbcikqhn",
    "nqbdhkaetsilfjgmpocr", "mosbfgiqkhcdljnpaetr", "tgqdhimbfkcrjalepnso", "hqelpjdkcsgaftribonm",
    "thqmgabkicejdrsnoplf", "srckdtbejpgnhamqflio", "qhbkgnrsldtmfjcoiepa", "thmcpbglnoesarkiqdjf",
    "ljhrkgdetnbmqiosafpc", "kgfctamjrqpbedoslhin", "mrjgbsnhdlkaqcpfoite", "sletomcdpfqbnrkgjhai",
    "bmotpikcdnlhgjafreqs", "gjrcedsfkbtiqaolmnph", "kcptablgejosfnidqrmh", "qmsioechlagrdjfbtnkp",
    "flkdemhnoctgbsriqpja", "sjhrmgtqlpfadnkcobie", "ledsqjmnohptbifcrgak", "okmerfligjhctsbpanqd",
    "fhmeqoprlgdjtkcnibas", "hgetmofabpknlirdqjcs", "bhjcqgripmfslotdkaen", "deijokrqfpgmhcanbtls",
    "jedfkmgcontsqlbihpar", "prfmdbacgojqktlsehni", "dhfpjsoirmgacblqeknt", "rjdfhltgkoaiempqnbcs",
    "obcipashdrfqntekljgm", "qomcrfghbdaklpsntije", "cdfabjoiqkstelrphngm", "phktqrgacsnlbeijdofm",
    "dahioetsbjmcfngqklrp", "rcmqdghlbsoaentjpkif", "jqkmeoihbrftcadplgns", "hlbfgadpmorqjensickt",
    "pgfmlejrcatsknbqiodh", "rokeqabncimtghlsjpdf", "pdkicheqroambntsjlfg", "chtigqdkearlspnbojmf",
    "grdsbctolpnjmaeihfqk", "kqalcoenphtgjmrbisfd", "lsijqteaordmhcnbfpkg", "fprhnecjkdiqoasbtgml",
    "pliasecnthmdqgofkrbj", "jmnegfboptridlqkscha", "njbpmicfhoqdgrksltea", "brdhkanqjmgfcpteilos",
    "slcanpfgrmqhikdetobj", "nalfrebjpciqhdkgmots", "pbgkojarscdlqhfmniet", "shlgpioqjmrcfbkdtnea",
    "qmlineracofpshgdtjbk", "qrsmcjibknafdplgothe", "mfhinskebjorlcdtpgaq", "rtnsjahbqemiogdplcfk",
    "dicgofejrhklatmnqpbs", "srbdpqlihonktcafmejg", "hjtlqapeminkgdbrfsco", "qkhsladirngjpbmcefot",
    "kganmrdsiclhftepjboq", "taqfikjmlsgedhpbrcno", "qrdshtlgjmbefkopinac", "gaoemlbprqckjnstdhfi",
    "ikmgfrqnalshbcoedtjp", "cpagmibsqnjkfolrdhte", "nltpmicqaodjesfkbgrh", "ekqagfnthilcdjombrsp",
    "grbnhmjditpqclsfkeao", "focrgajsqthlipekbmnd", "jnfskdlcpqmierogabth", "egjhapqiltfskcordnbm",
    "ngbqklpicojtaefmrhds", "gbpjqmcahrsolenfdikt", "loqgretsdchiakfbnpjm", "digcnhfqpsrkjomlabte",
    "mpscnoqialhtkjfbdegr", "stnmalcidborhjekqpgf", "rqogbstcpemhikdnafjl", "paltkghdrbsiejcfnqom",
    "jtqofcdmlhrseabkgipn", "tifohcjamrnlgqsekbpd", "hqinemblkoatjscgpfdr", "opdhslgeqjanrcftmbik",
    "prqnfesjmalbokigdcht", "tjpqkianbrhesocdglfm", "dmhofliranqcjgbkstep", "mkipfnsgaqjdtoecbhrl",
    "nseidlmforqakjhgtbpc", "dqmbsieacprtolfkjghn", "pionjqbgksfhdrcleatm", "psdkrcalofqjghebinmt",
    "mqkhojblnitpgcsredfa", "imtbhjnslqprdcokgefa", "kialhdjfnpemotqsrgbc", "rnhpbtlmfoegksqcdjai",
    "lctqgabnfriepjohmsdk", "scdiojbpkgnfmlqherat", "masfbchjkpqntroegdli", "aoifgmcqdnjblhkprset",
    "onlkmjrqfgiactdbehsp", "bftihojlregmqdnskacp", "iprjtnlhagbceqfsdmok", "maghqtpfsjdkconelirb",
    "mfgnhkjpqdtareoibslc", "gjqrbthsfnelmioakcdp", "lhrdctifbpmsqeojankg", "kgqrpmlaoeicdntjhfbs",
    "gmpikhceraoslbtnfqdj", "nirljcofhkbsqdpegamt", "jemosqnhfrdlpgcbkiat", "mqtkjplodirgacnhfbse",
    "bhdqtpmglkasjnirefco", "cmlisporefndhtqbajkg", "oakhiqrjcfdpsebgtnml", "pqtharldeimknosfbjcg",
    "gnmdpqcfejrtbsoahkil", "gjeklrtmsfoihdpqanbc", "pqfinrdobskhleagtmjc", "ejhrpfkisodlqmnatcbg",
    "ipncsqbkomlrdfjeghta", "cqeaimprbogktdnfjlsh", "nrscfbgomdkiptelqjha", "bjesglckdfniaohrtqpm",
    "mqlfkogrhpdncbsetaij", "gsmkaheqnjrldpbcioft", "ncafgjielqtdrohsmbkp", "ofjkdplqmacinebtgrhs",
    "kqtcpfjlarhdmbsioeng", "rjslkqitnchdfebpamgo", "icgjefmbsktqpahorlnd", "nsbqemkhjcrolpadgitf",
    "sahidcongrfkqljmbtep", "sgqmtaobpcnelrifjdkh", "jodkpaflrehmbqincstg", "oqfhldcrnaikemgpbtjs",
    "retofblmhsgcndipqakj", "ioacksqjtbmhrpefldgn", "qirmlobedncsakjptghf", "ikgndhcoebajpmrqsftl",
    "mlekirthdbjqscpgonfa", "jrslapmithdcefnbgkoq", "jgmkoedcnfarlsthbpiq", "adgplrnsjhqimebcofkt",
    "mkisfqordngbtjepahcl", "rfasqchpdtgjloimkben", "tbjmlgeihfndpacqksro", "mitgdqojhacbfepnrslk",
    "katrfpijbodhnsmecglq", "ecrapflmjgtqknodsbih", "fkleomsqdipbcrthjnag", "pmnoebskrghldfcatjiq",
    "eqohmnfjbkpacsriltdg", "dfgslrcoqbmpnakiehjt", "sbtoacelrjnpkqdmihgf", "qgbrldeasihtpnmkcfjo",
    "rqdicmhebljogfpknsat", "khftoalmpqrgbsedjcin", "oasmilhnfrtpgecjbdqk", "gdkjoemlrntihfqcapsb",
    "itrlkefqjpcdbmsonhga", "tjfgslbikcqmanepordh", "lnarifghkbstedompcjq", "koapdghtrfbecnilsjqm",
    "cplghjonfasbmitreqdk", "isatrpemgqckjolbnhdf", "bjesqhngraflcmikptod", "sogtmfeqaprkjhindcbl",
    "hptromnkidlsabecgqjf", "jhbefqnilrmastgkcodp", "namjeqpgrcdbhftlskoi", "tbfohgijklcsemrpdaqn",
    "csqenikjgdrpmaholtfb", "fbatrplgomnikecshjdq", "bmljoadsgqtnkcheifrp", "oeglrkatqbicpdhjnfms",
    "ctrplajdfbnhqigomesk", "ltgkdemjosaqhpbcrnif", "msrdkcghtlfbpeinoajq", "ftbedrpgljmnchqikoas",
    "hcjqfsmebdtrlpkgoain", "ocskeqlbjagphmtfinrd", "ebmfqhlodapnrjkgtcis", "qtmchjfniogkalsdprbe",
    "ftchqamrnlgeidopbsjk", "ncbosithlredkfqpjmag", "tsdlemafghkrocijqbpn", "ebsgpkcdqrmnahotilfj",
    "ehbgmdfotcqlsjpkinra", "bliqpmrejtfadhsnkogc", "icjqlktnopghmadfsebr", "pqgtbkceishorljdmafn",
    "rpnthbgcqdljkiasmoef", "phaiqeotgrclnbsjfdkm", "gcjksfpalnehdiromtbq", "nhprlgbkmdoecqtiajsf",
    "efhqoisklnrgamcbjptd", "ilpdrchqfsmbjgknetoa", "jpetnoiagmrsdhcqlfbk", "hngaqsfcprikobtlmdej",
    "tmohrklqnabisfdpjcge", "pmrcdsbaqkejnfogtlhi", "sitbhljmrcgkofanqdpe", "kpcjhtsdioqbagrfnelm",
    "slnraqpejihgmfbcdtko", "altmhdbiepfgnjrkocqs", "akbedpomtilfscghjqrn", "cjfbpsenqhtdakmrligo",
    "pdjkqribhosaftcgemln", "jbndgqeatmchsrpifolk", "jtblqhcfaikesrdonpgm", "oenrklhqafbjmsptcidg",
    "pbdftolkjmieacrnqhsg", "qlptcjmdhafbnrgeoisk", "oklqcdtgmepfribhsjna", "pctqslegkjahrofbnmdi",
    "kfqemsjodcngbrhlptai", "dtfpaomehirsljnqkgcb", "fetnphgcirdbloqmajsk", "helrmioqjbptksafcdgn",
    "flokbharensicgtjmdpq", "dgoqbnlpmecarstihjkf", "tbmcknpisfqodajglehr", "arihfnbqlegckjtposdm",
    "nepgoftdskricqhabjlm", "tehsclnmqdkairfbpjgo", "pmkdnqjagecroilbstfh", "escbkgmnqoahjlfirdpt",
    "geqpalfjhrmkcosdtnbi", "pjiodgqfnbltsmrekcah", "osakmdrithegcnpbljqf", "qpkjbrhdnseofmalcgti",
    "dqrsflihejpbotmcakgn", "dfhqskintgrceapojbml", "ndkqljbshtpmeaofgicr", "smbpngkahefiljtcroqd",
    "kaeilmcjbsrhqtdpngof", "cmgjasdknfpbtqroihel", "jldmchgteqborksfipan", "lqktsgdirjhofapbencm",
    "nsoiplegtdhkjracmfqb", "anfsigeltjpmkqbdrcoh", "nabtsqjdgimcfhleropk", "jplgethskorbmaincdqf",
    "eflatcbqgnohridsjpkm", "cgljrnbkfdpsotamiqhe", "galotprencqbkhsjmidf", "nmeqftpaojlhbigrsdkc",
    "drejspqbmcflonghaitk", "scgtbqanjfrhoelkmidp", "goprfeqtdslnmkjcahib", "bpklfmgodihncqraetsj",
    "srkeagmnctbdqhijflpo", "plsordjenkctqifghmba", "dfbijohgrtcqelpmnska", "pmekabidogtnjlshrqcf",
    "jhecpdbrfinmtgkaqlos", "rsknopqjfhmagtbdlcie", "mlneqghjskdorfbiptca", "npfbdhqmicgtejkalsor",
    "anfirtghqkemspcbodlj", "ifeqbarosmpthnldkjgc", "tqbagednmckrolsphfji", "oatgidbskjhlefmncrpq",
    "fkriodjbhlstmpgnaeqc", "joarngmqcbdtpshlfeki", "sjqiafnkhbcpgedolrmt", "bfskaphetlrdnmcgojqi",
    "qshipefankdogrmcbtjl", "asmreqilpcnbktjhogdf", "cpeqbsrthfoagkiljndm", "tpkaibfqgrnlmjscdoeh",
    "mjqtnelrgcfpiksbadoh", "fbmehsjnrgtpaklocqid", "nbmqkactjrsedplfgiho", "ieqsdfoalhkbgrncpmtj",
    "dkcmpajoeiqlsnthbfgr", "omdbgaercjtsflnhkpqi", "cmjpknalfigbdhoeqrst", "gjsctlrqmpbneidkaohf",
    "tsgbhaodpmrkeljicfqn", "bkctiomerdgnjhfqpals", "tdophsajlrkqmgebcifn", "ispceoqfkdgtarhmbnjl",
    "lgajdrqopsnetmbkfich", "rsqdbmlkahcfeitgnopj", "irfjmeoqgpahbdknstcl", "ajcblgqshetpdofrnkmi",
    "sadgmcrtjpihnlofkqbe", "gqfehdaokmrbscipltnj", "tlfrjpemioqkcnabghds", "nqltoribkdcgahfsjmep",
    "nbiqchprskemjaldftgo", "febmsdqtjpclgoikrhna", "lmjoghbanfesdikrptqc", "kgjfslbnaqpeodrthicm",
    "gdsknhpbojceilartqmf", "lpfkaqijegsdrntcbhom", "pjbokmlqctdairghnefs", "sqabejtmnopidklrghcf",
    "plcofbqkghmsatrdjnei", "horepgdjtqkblcfsianm", "ktmebcohqrlngjsiapfd", "tabcjeglpqhonmrfkisd",
    "fhaqrgopndltejsmbick", "mrtldpojhisgckefaqnb", "pgoktdinrqlhjfcsemab", "pacqhkjinletsbfmrgdo",
    "onhitjdqampsfgbcerkl", "ltfoihakgcqdpmrnbjes", "argfelmpjdhoinscqbtk", "ekghfntariqlosjpmcdb",
    "fqtkgedhbplcrsniomja", "natqojrefimhpcklgsbd", "snqgetrmdfijlboahckp", "ksfcljomhaetqbrngpid",
    "cjbptegfldhkrqnsaiom", "fjkdptohesqmlacngibr", "flijoesqtngphadkmbcr", "rajcgbkqdfipltnoeshm",
    "mdebhscifatnrljpgqko", "aldqkgtmcjoisrehnbpf", "kjidcltohmeaqpfrbgns", "ksipgrbdoeqhfmanjtlc",
    "orsbndqpcmghltekfija", "cbanpkmdojsfqhlegirt", "khtcnomiejabgdlfqrsp", "ktncirlaeofpsgbmqhdj",
    "bnmoqkedfjprtgicslah", "raohdgnqfkmlscbjpiet", "lnhkreajdgmibqtosfpc", "pdeolahtsqkmnjrfcibg",
    "cogpkiejnlsamfrqbhdt", "jkilarcofegdsnqmtphb", "sjfcrbdigemoqapkhlnt", "nilodqbfmarpegjckths",
    "ejqkboslnarptcfdhimg", "etrgfcnpamkhiqsjdlbo", "fdqisbpcghltokjmerna", "aqtrgpdlbesmchikfjon",
    "oplcqkmhdafbitngresj", "hkeobdpnjrtaficqsmlg", "khoncragsmjqptfbleid", "idknpqfhtsglemajorbc",
    "dgrqilmahkfstnjcobpe", "jghkodilbesftqancmpr", "ofltdearcgbishkpqmjn", "sncregialjfkdpmtqobh",
    "tfqagrcdojblphmkinse", "aeqdlbkctfhinmpogrjs", "gjrcnqikdaeboltpfhsm", "goeiclktransqpjmfbhd",
    "ekfilmbnsoadhgtrjqpc", "rnakflpqmgedjtcihbso", "tajoinsdbcmhlegqkfpr", "jkpdhcgebiormnflsatq",
    "bfathrjlkeonpdqgcmsi", "dcefnjkgbstalmqrpiho", "oignqstrmfapcbjlehkd", "frsjindctgbehpqloakm",
    "hjftgskodqmbacnlriep", "cdjhgbpskirematqnflo", "corensagibpjkmtlhdqf", "dpkoqmjrgtbaflcsihen",
    "bopqrklmajcisefdnhtg", "reajpoihsfmgtbdcqnlk", "efjbmsplndhrqcaogkti", "fojrecmhdnqkbstgipla",
    "bofjinlsacphegqdtrkm", "pedmgjnrqfhbiockalts", "fntboidrcgspalehkjqm", "hkbeajpmdrfgtnlisoqc",
    "ojgbdmqrcnheliaktfsp", "kndcipqetmhsfrjgbloa", "kfbcermhgdiansloqptj", "gmpdejcfitnhsqbklroa",
    "tcipgsebmhrkldnfoajq", "iohncpebdtrfmkalqgsj", "mikbgfpqltnoacehrsjd", "brmkopecdnfjgtslqaih",
    "aptgrieskbqdcljnomhf", "brphackjmqeogldtfins", "jqsopeklrdibanfchgmt", "fenmacisktlrodpbjqhg",
    "itkqeplnbdrfsocagjhm", "rgnhmieslakfopbqdjtc", "lhrapndfcioqjsmbgtek", "qrbdikgchefjpaslontm",
    "atmhbonsefqpdkglrjic", "raeqcmfopbkgldshtinj", "pkrcnlqfbatjeoihmsgd", "pnabgmcirtskojlhqfed",
    "jnkgeptbmslihocardqf", "ghdcsfikbmelapojtrqn", "kmaiogbdpnhcejtlfrsq", "eqsahdnpbmoikgrctjfl",
    "rsfoabenmldkgpchiqtj", "afjbcrdmsonihpqltgke", "jbplfkgceoiqmanrshdt", "dgrhifntpobkaslcqejm",
    "cdkotbsnrhjfepqigmla", "qiposbmechjalgdntrkf", "bqjtonksigmdcrhpealf", "jfneqmcdpikroghtbsla",
    "tghkopdelarcnjsiqbfm", "qgdepthnlbajsciormfk", "fgirpaneskcjdmlhqotb", "htnkgdfqmocerpaslbij",
    "pcgrmbntjkeafihsdqlo", "oknepgcbqaidrfmlstjh", "nmefdbphlqsgatrcokji", "pkonfijbmcghatrsdleq",
    "qdnoscfabtklpgirjhme", "nrcaliftsmjghbqekopd", "ohgqtfilnjkcrpmadsbe", "ascinqpehklgdbtmofjr",
    "deofmpbijnsgatqlkcrh", "omprntqdfcahkgebijls", "emosbklrcaijfnqtdhpg", "pefbhitdjsoknlmgcarq",
    "jmiedqhonckpbgrtflas", "isealqhpdctnogjkbmfr", "nhojksqiebrdtfmcpagl", "krdftgojhcebilnsmpaq",
    "lthimpjgasdrfbeokqcn", "ahidmeglctrksqofnpbj", "oncjpirhslfkgamdqteb", "hnfpdqoregjtbismakcl",
    "nshdroqfckljbtegmaip", "atehbordknsimpgflcqj", "aefmjrblknpdcqsothgi", "odtenmlrhkgfiapjqcsb",
    "cqodslpmgfentahjkbir", "fajcbrdslhemtgqknopi", "mdlosehpqnjibfkrcagt", "bpcoajhftsgdqekmriln",
    "nitkamegsolcqrhjfdpb", "ckabfpihomgsdrtjeqln", "spcmkldnfoejiqatbghr", "icfbdnkphmqtgesarloj",
    "bgrahicmseoqtlfnjpkd", "npgqbijdkhtfsolemrac", "gtslopanmqfrheijkbcd", "pilhmdjrkftcgeonbqas",
    "ehksdclmtjqgnrfpioab", "jmoikdegbchpqafnslrt", "ibctgqlprmkfnjhoesda", "tjrflgkhnboasdmcqipe",
    "ncsktolbqapifdhemrjg", "mornhikplgbcqefsatdj", "hmgbarcseijnqkptdflo", "mcjesoptdrkilgafqhnb",
    "bemriloghpaftqdjkncs", "mtkscdpabreonfiljhqg", "bfaohlpmkrqgntejscid", "kiqdnceljagrotsmpfhb",
    "ftlpidahmkcojngeqbsr", "tcosqkipgjlbdmfhaenr", "dibhqckamrjeoslftpgn", "kqaprchdmsflnobiegjt",
    "kmbegcojtlnfqrhapisd", "bonpjacdmhlfigqrtske", "pfbtqelahniojmkgrcds", "tcdabkmjhsqnrlifepgo",
    "odlqcmsapijnekthbfrg", "bflkoaeqjcishtgprmnd", "dtainpjlokfqsembcrhg", "cgrkaplndsohmitjebfq",
    "dbtaclhkmqgsieofrjpn", "cnotiahrgjdlfbsmkqpe", "jpqfrknabolsegcmhidt", "bqcmnplhgjetaikdrsof",
    "airkqcfbdspeojgmlnht", "qmnpebofidajlkshgtrc", "gohbnmdrseciqltpkjfa", "cdemrgaqtfhlinospjkb",
    "rikfngphsatclebqjdmo", "fqcbjodkgstirelhnpam", "pkcbrdlftihneqgsomja", "iqctdjgbrkmnsealfohp",
    "lkemtfndhirocgsbjaqp", "floqaichksrbtgjpnedm", "jsprfgmitdobnlcaekqh", "qrfhnlpegtcbdoajiksm",
    "lpoaemhkgfqticsjrnbd", "jamfhpcldsbtqrokinge", "fbpeigtlrhqdmascjnko", "aglhtorencbipdmfsqjk",
    "aqtjgphcrenosbmkfldi", "ljofnbqgrshtcmdkiaep", "aqsgfdmrblkhintcpjoe", "pfbhrogqamlejicnskdt",
    "nfpibjdsoeahgmlrtqck", "hlfgkmibtsrdnacpjoeq", "mstighbdnoqlkfeprjac", "cmbhitpagsodjknferql",
    "lnohijdstemkfrapbgcq", "odgeqmakpisnclfhjbtr", "mshbgradctknejqfpoli", "nlmfdstjpiaegoqhrkbc",
    "isdmhqfatknjerlbocgp", "tfnjkgrapeboimclhdqs", "tjichpkdafeolbrnqgms", "krigcasnfhlbqjtemdpo",
    "hecrqostgbkfpdilmnaj", "ecbfotkjlhgnaidsqpmr", "bnqifsgkdatjhcolrmep", "hjoinblarftqgdeskcmp",
    "qrcfdbamionkspjhtgle", "pmdtesaqjorgfhcnlkbi", "oqfcnjtsieprlabgkmhd", "mlhokjfpcindsegqatbr",
    "ibfstneohcdmgkjpraql", "qhibjrdptomnasgkelfc", "gjhmodpiarceqntslkfb", "jbahiodknplemqcfrgts",
    "ohmdrsgcapbqkjitnefl", "mgablscfrthienkqdojp", "gphodkrclfatjimesbqn", "mjeadnsqpkclibfhorgt",
    "tnbpkqjacdilsgrhmefo", "fesmbacjghonrqpikdlt", "kmapgfnerdtijclqhsob", "ndltkiqmjorbasehfpcg",
    "riqbjlsdtcpmehkgafno", "pajdbikqecfhlstgrmno", "sdalqjgecomntrkbpihf", "nmfjaestrkgoblciqdph",
    "hcqtemikgpolnbajsdfr", "fchrgkatsjmqodebnilp", "rtgiajlsnkebpqcmhfod", "eitbaqkfjsnpmhcodlgr",
    "kdignqsjlrhmcoptabef", "anpdfsgqihjebrotkclm", "tqoiakcpsbhedlgrnfmj", "sqlrtjhbdanckiopefmg",
    "rfoaecijgntbkmphsldq", "qlskjhctbifedonapmgr", "ojadqnkrpcflmbteihsg", "ltpifrcnemoqbjahkdsg",
    "oaefcphkbsgjqimlntdr", "phfaokgnqcejmtbslrdi", "lihjqgkesbmpdtnorafc", "bsqjmfitgdkrnoeclahp",
    "abeqhrftnsgdopmkljci", "bchdfnqoeprmjgslatik", "dohsbflirpnmcetgjakq", "orjpqlkdsntabmgihfec",
    "lpfqshjbcktogemdairn", "boimasekfrtqhgdljncp", "casfqdigeprnlojhbtmk", "ajqohtcmdnpfreklgsbi",
    "cbdeliqkopnmhftrsagj", "pkecsmqfgnhildrabojt", "ngksdbfjoremqtipaclh", "hqscpkgetjdinblormfa",
    "qobdkgifmnpterasjlch", "jphrknbqomtasidcfegl", "gmapfjisnqolrthcdkeb", "qptjaosldfkghnrmecbi",
    "lrnmcogajfepbtdsihkq", "mcflaipetqgdhosjkrbn", "cpbqrtfonkijmlsgehad", "fhbcqjpeltdmrasgonik",
    "dltsnpfrchebjmokgaqi", "tpdrsmqnoefgahlcikbj", "olgmjtrbhiacfpsenqdk", "cgekbnpdiahtmflsjqor",
    "arpgmhstbindekocfjql", "ftskhjpamlqoegbdrinc", "fbejnsmtqkhopdicrlga", "dacphkjirnmgfloqbtse",
    "kpgacfstrinjolqmhedb", "aftirnolehqgmbjkcpsd", "qhnmckbsiojregatpfdl", "qbjemcnlgpkodfstarhi",
    "nrpfjsemdcblgkaithoq", "lrpmhdnqiabkegjtocfs", "gfacnlrbethspidjmkqo", "naekidrpgtlmsbcfqohj",
    "kbdnmehsfgricjlqpota", "pdemabrsinlgjqkothcf", "oqtercsilapdgjhnbmfk", "gjlnerasbkihpctmdofq",
    "rdlbcfsiaojqkethpmng", "rdfpgiohlnbksjtqmcae", "qjsrkntolefhbmicagpd", "irbtfkgdqmnolcjhaeps",
    "eadjnqsifgbrkmchpolt", "egjmcsqkpotnibfhrlad", "rkhgcsiotndjqbapflme", "mhbdkpsngoqjrtafclei",
    "dnlcmtiajkqbhfprsego", "imbndeqapslrtcfhogkj", "arepcqbjkmnlofsthdgi", "todhsijagbmfekrcnplq",
    "jenoirkmhtslqpgfcdab", "fndsaojglehrcipmktbq", "cotnhsdifgrleapkmbjq", "liebmcrgaksfnjdoqpht",
    "lcjmfoqskaherdgbiptn", "lpfhmsiceoabrkqdtjng", "lknphcjdtaeoigrsbmfq", "jlthncebpidmforaskqg",
    "iscrnjltobefgdpmhkqa", "bcenfdklmhprgqisotaj", "hbjniaptsmeqodcrgklf", "jqocmkgdlpfsnieatrbh",
    "opcdilagshrejknfqbmt", "airqhobptldfnjkegsmc", "hepqbkisogntldrcfamj", "brgcldkfojaqehnmptsi",
    "cejtpklhdnariqgmsofb", "fbgheintkjdocapmsrql", "qlohkegmdijfpnractbs", "hpairksojfbdntgelcmq",
    "ontspbfghdcljmieqkra", "cmjlfiprgqdbkoathesn", "dqrsbkclgfmanehjotip", "lijeodqrtbhknpfcsagm",
    "aflrcmksibhnqpegjotd", "oehfgqnmpsdbjlkrciat", "tmdckaqreniholbjsfpg", "asnopgqimjekrfbdclth",
    "hfemqdaogtjnrpikscbl", "dgklmcsatqiofpbjerhn", "brmondjtaqghclpsfeki", "oclmsfnkgbrqihjpdtea",
    "oetfjchansblpirmgdkq", "rnbfikosaqpjhegmltcd", "idlfocmbsraetpkghqjn", "onmpkeisajgftlchdqbr",
    "cfkqgisdnrtebomhaljp", "fjpodsingmlecqharbtk", "gpelkaosrmdtbhfncjqi", "ihrpefnsmcbgdkaqtjlo",
    "mslkrjctqbaogphfedni", "dericanhoktlmqgjbfsp", "siftnprgmlojkacdhbeq", "idnrolpatmfjegshckqb",
    "edrbfltpnhqgcoiamjsk", "lkcapghondqibemrtjfs", "cfketrgansphbiqldmoj", "oljbkfgcrtsheiqpdnam",
    "marpsofjghldetqnkbic", "dqmlkobarcjgsfneipht", "slmoiajgrncpqetfkhbd", "iqsctlbaokndhejfmpgr",
    "sedfnpahrmqbticgjolk", "hjipgqaoflbrtcmkedsn", "ajgrnkpdiemhoqsclftb", "nglrcfbkqosjmpaedhit",
    "hbcdlaomjtpqiskgrfen", "qpmsbaoicthfgjelrknd", "filchseotrjdqpknbagm", "hesbdafncpqtgilmkjro",
    "jcitgnrbeqphakmoflds", "pankocifjqtehmbrdslg", "bgqamoknispheljdftrc",
};
static const char *const shuffle_seed7[999] = {
    "jsgbotfhmclpnrkqdiea", "rofptkedsqjgbmlcianh", "dcmiefhrqbpnkglotsja", "efcipnghlbkmtsjqdora",
    "lfdpakmtgnbqihrcsjoe", "qhirfdnksopltabcjgem", "kbsheapilfqrdotnjmgc", "lmgdjakfptnihocbesqr",
    "oerbakgqspfhnimdcljt", "dcbsorinlhepkftqagjm", "dhcnjmlqerkaisofgptb", "kfjgpsbmqcrlniheotad",
    "nhqpgtjebdcokilfsmra", "orhnpblamcqfisegtdkj", "jtacneiorpqmgsbhlkdf", "srjpgotcnaiqdkfhlebm",
    "poibtdlmjgrahnsfqkec", "qkitahldnjscbregmopf", "klebgjscnodqrpafihtm", "mtjnsdpkqcgiolrhabef",
    "ajqbomlchfdinsktegrp", "gfopcitrbsqmedalhnkj", "jdploqntcmehaisgkbrf", "erfqhldokjmbpgciatns",
    "rqksjtaibghmpeonfldc", "fapsmrbgcetqnidlhjko", "blsnmdaijgqtpekrohfc", "gobcedprjknsqiftalmh",
    "qnsaoimtprjeflkdbghc", "hfesoprnbtaimdkgcqlj", "bcmtepilsjadnqrkfgho", "ojdfbqcrnlkhpsigtaem",
    "itnmqbpdflshkocrjega", "chgkaemdtnljsoibfrpq", "mbfpqdohgrjanlksiect", "jkfqiacgnptlsdborhme",
    "artksmbhecgnliqpofjd", "gojrhnpcelqbftmidask", "aothbcqrpfmgeljdinsk", "tonqgehplcfdismjrkab",
    "jknmeflgisdtrpbhqoca", "ncmorpgefkbqihjltads", "khamlfqtpirbdcjsenog", "tlchfboqdpgsrmkajnei",
    "kbehdopsrgnatmiqljfc", "rmpehgalicofbkqjnsdt", "jgqlidatcokprbesfhmn", "pmktbjecdqshlignrfoa",
    "gcehmsjrakfontpidlbq", "mgqjdtshekilrfcobpan", "dlaefnbphjitcgsmrqok", "pktqdrobhnmjlciesfga",
    "dlmchpsgtbniarkoejqf", "pahmglbqofnjcdisrtke", "keasiotprqfdcgbhlnmj", "hnfpclbogqkjaerdtsmi",
    "sgifdebjmthcqpnlaork", "anjfhoskdipqrmbgectl", "sjfengcdrlboqmkithap", "rdjimlcpkgfheosnatbq",
    "mekqhlcsntbpoadjrifg", "lspqbaghkrodfejitcmn", "ihmtaoklfgbsjqenrdcp", "nrcjeiatqldgmpskbohf",
    "tpsbgckmqrlndfjaohie", "bmdeqklfsipcoangtjrh", "qergdpijhsalmnkofbct", "oishpmcgenabrltqfkjd",
    "nfikoglehjsdctqbpmar", "lfdqngrcoikmapjbhset", "jirnqadkftcbpmhseolg", "bnghtslaifpreoqdmcjk",
    "dbgclkherpsfamqtijon", "tofcmrldnjeqpagbihsk", "ipdmnojqrhlteaksgcfb", "lhrfgqndbspkemoaitjc",
    "kabpiqdtfrlscngheomj", "poitmkresgnabcqfhljd", "gfepnmjoqslkadhcrbti", "btmjkoflndhraegsiqcp",
    "dfjtoibamchnselgrkpq", "hiknsgrcdptlomabjfqe", "kclhseaogmqntrdbjipf", "bjeoafintkmrhsclqgdp",
    "adqlhfjgiosmptbckrne", "mbcgadjptnksiefhoqrl", "hjcmgnfaitqrskoldpeb", "ngilefrmkbjdtqaochsp",
    "gptlbakshojifrdqecnm", "ndmpfakgeqhblrsocjti", "dngblmfktpricaqjoesh", "moehpkalgbfjnqtsidcr",
    "lsimtcqonjprkhefdgba", "qonkrgjsfhmdiaepctbl", "drpelahikmftjqgbcons", "hlgjieoaknfdbtscrmqp",
    "sanedbqfgphjrtcmloik", "lsknpimetrjacfdqbohg", "dcrmaghsotkelifpbnqj", "cmbldrhekajsifqnptog",
    "ardihgtcjblqsenmpfok", "jcdlfbstnpaqkimrhgeo", "tqdhlkaeosrcmbpgfinj", "mhotfkrsilgqbpecjnda",
    "ikghedctmaoslpnfjbqr", "riqlocgndkmbpsfajeht", "qkoespcrdbnjhamfitgl", "tprkcohjbseamdgqfnil",
    "kmlcqigjhsbatpefnord", "glhkqpnmeirbtcfaojsd", "lpbsmfndgtihekcrojaq", "oipkltsaqcmfgnhdbrej",
    "pjrtkqbeiosmhgnlcfda", "finojbhtampdqlecsgkr", "iahfegkpcqoldnmbsrjt", "cfbjatdelmnhqkpsroig",
    "lgmanjfdcipetbokhsrq", "kcfemdagsorptlhijnqb", "mdbpglrnhsctfoajqike", "adrshmqotgfenjlckbip",
    "esgfrkqnihbjmcaplotd", "rbeiflndjmcagsqophtk", "nlpfbsoqtdkjamcrghie", "hdbeirktapnlqfjsmgoc",
    "sqhtaerbdipfmgclnjok", "bphfnrmtojedcgksailq", "gorfshapjelicqknbmdt", "oferpsdjmltkgbqhnica",
    "cjegohfanqsbmlkdiptr", "qhpmkdjreslfinctogab", "qajetlcphkrnbogfismd", "ifpdktjelscghoqbrnma",
    "nstoahpljiqgkbrecfmd", "oiacetjnkqblgdmphfsr", "rgnstdhfbeockljamqip", "ajgiplfcbkesqnrhdmot",
    "nrjcbfidlpksmhaetqgo", "pkrbstheiadnoqgcmlfj", "egohplstkbnfiradjcmq", "pdlsatobfhjgcriqmenk",
    "smiceqtadrlpkbnfogjh", "kaqfrsgdthpnlobjimec", "kpqsfimrngclahtodjeb", "fdtjeicolbkahqnrpmsg",
    "iahecrjsopntqmklbfdg", "akgqhlfdtcjeirnompsb", "deamcphstjqbgrfinokl", "gqedhajofbrntsikmclp",
    "tgeqfkmcasnobiphjrdl", "ofeimrqaclptngjbskhd", "fpkjbrqatlhsmeocindg", "trfehosbjkclngdimqpa",
    "psabkqjghrcoilmfendt", "bhcigodlfmtaejkprsqn", "dnhjatbfkqlsgcerpmoi", "hlancfbopksejrmdtqig",
    "lgnseojifthqpkdbcarm", "ptdbmosqhecgkrifanjl", "hsadornmcqkegipftljb", "hnfjetaiqcrdkgslopmb",
    "ekgidfsrponqalbmjtch", "btcqnimgekphladofsrj", "tmbfqplohjkancgsedri", "lmpshoaedtrqgifcnbkj",
    "bcpatleikjhfqrnsgdmo", "kjcefltbqpadrihognsm", "lsnjecohritbmgakdpqf", "lcgedamiqfkotbrpnjsh",
    "fborlntcqdhpmsagiejk", "bqfdpcohnkejtislarmg", "hfegbpmltjndkoicrqsa", "dfbiemcjgksnqlhpaotr",
    "fcpbqhmrlsnkgidejota", "imonhlrpckeajdgbtfqs", "modjgstqcerabflhinpk", "oamhipsrteqcgfkbdnjl",
    "bnfhepitkasgqrljcdmo", "smticoahperdlbjqfnkg", "jpiqgcnmdaterfbhoskl", "maqoibsjeklfptncrdhg",
    "ljrkaondtfigshceqpbm", "qahgtknmiepdcbjrfsol", "jpngrhbfmidtsokeqcal", "apecmtfokjsrhdbilgnq",
    "ohqnidbsrktcfjpemlag", "dpraimslbtonkqefgchj", "aqkmefilpogshbndtjrc", "jqtkdolcrgamnsfipbeh",
    "bcpkqnfrglheastmdioj", "jodtqbsemkhipcnlfrga", "mcihpjsqglafebdtrkon", "knmseqdobjpilfcthrag",
    "qinmkpljdrhtbsegcofa", "rqlpcdmoaseitkbjfngh", "mgobfltjehpsdnqkarci", "hpidgecblrktamjonfsq",
    "sbdgehkijlapmcnfqrto", "biejpoqltndmaskrfcgh", "jmorhsqdfatnepilkbcg", "dtfeilahskgcmrnpjqbo",
    "gjdkhsfabnpmitcolreq", "imjdsptchebkqngralof", "itrglpsohnfeajqbcmdk", "kblomstaierhcgnqdpjf",
    "spqtbecmlnfigdhokajr", "lmhkesdbptraifqjogcn", "akcrfihmpnqdbjgselot", "mqndbjtfhacieprlsogk",
    "rjmnfbpgkhaoslqedcit", "jiabngedoshrkpqtmflc", "obqdacjltesignkpmhrf", "ilfhqeknsbcgamdprjto",
    "eatjporlhfbkqinsmcgd", "bspkjegimnhocaqtrfld", "plghnesfomkcrbjqtdia", "cdjngihorbpflsakmqet",
    "rfbckdamsijgehqltnop", "ecnmftialpbokhdqsgrj", "tdipmqajlrgehnbkfocs", "caqmrkeitnhfpsjglbod",
    "oaersmckbtqdlnhgijpf", "klemongarhqbfijpcstd", "kngjilbfrmdahscoqpte", "qbnmpltojscgidehkrfa",
    "dsbmlrcjghiaofktqnep", "flnsmjgkhrdtbieapqoc", "bclqekhrntsoigjmapfd", "jaforskbciqpemtdnglh",
    "tdmrgablqcsnehjikfop", "jigmdslrcthbeqonpakf", "qbadscfrgimhlnjeokpt", "scdtgairlnbpfkjqmohe",
    "ldnpefakbrqjgmotschi", "litechjkmndrbsofgqpa", "htqpganlmcdkreisjfbo", "boqksgfhcentirjdlpam",
    "dcmtfklnpbehgojqrsai", "paietdqjnsmkhglcbofr", "smpqkjiargeocfthnldb", "gptisoefjlbrqmcdnhka",
    "isqapbglcotfnrkjmhed", "qltsfaergmhdcinkjbpo", "olnapfktscjqehgimbdr", "bnophgctakedrsqmjifl",
    "osniqrjfbhtmpalekdgc", "ekmgcjlqftdrspaonhbi", "lkmsdefgtjarqhopbnic", "rhcfniopgbljatesmdkq",
    "pgdcskfonalqhribjtme", "fsjbocldgmatnikperqh", "pojbchdrgksmialqnfet", "msgnhteprqjcafklboid",
    "jiphtenobsrcgalfdmqk", "kalsomqprbfjeicthdng", "djcpsaiqnfblhtgormke", "sbqehmifopdnkrgajctl",
    "psqgimbjfrnkldceoaht", "lfdmpagesqbhtoriknjc", "iqenkcsdabtmgpljfhor", "tkpgefaihoqdbcnlmsjr",
    "hnbkqfeljctgdamsropi", "pmhrdtfbgajlncokesqi", "nlqbsopkmjdhceatgfri", "blpairfdknsghomjecqt",
    "jfctsmahrqbedokignlp", "lcqfmghjpritsnokebad", "pibqofsckalgnhmrjdet", "hknptodjsaelfgbimcqr",
    "rncsqekmolbjipfgadth", "crdaljfpbngtkmoqhise", "fdjbsgiaeqmlpkncotrh", "cqrdjatnshlofgimbkep",
    "edotncbfaplkjhgqmirs", "omgehktcbanpidrfsjql", "pacilhjnefmkdbotsgrq", "ertkiahlspncfmqdjogb",
    "tbhsiefqgpmdjlrokacn", "bgpnlsiajdoqfrmtekhc", "qrabgejsmpkhoctlndif", "mqpaobhlsjdfkgictnre",
    "atdbkischmelpjqogrfn", "jrnqgbhcfktiedlmpaos", "tjaeqcoikmgnrhsdplfb", "gbtojsqdhfepalmcnikr",
    "tqdprhcbesagifjonlmk", "pgsetjkaqdlohbcnfmir", "cjplqnkoremgthdaibsf", "oacpjtqinlrmdgfekbhs",
    "shkbcjnpligtdoearfqm", "balodpskfrhijetgncqm", "dqpnlmjaehbroiftgskc", "jqtbgfcsdkiopmrahnle",
    "sjnrpmclghoqitfbdkea", "gojnaeilspfmkctdbqhr", "jnaipbforlkqscmdgteh", "pnhglsaekmtrqfciojbd",
    "fnetlodgcrmbahkjpqsi", "prshgmedqfjbloakintc", "qgiktdsmhlfnojbpcaer", "ipocadqhtknmglsberfj",
    "segqnhkidactobjprflm", "bfgjerphcsaqlmndikto", "kglmbcdrnqafhjptoeis", "ehjriqcfmbplsdkotgan",
    "lnakbgechmqdifjsptro", "fnksehcapjobrtglmdqi", "tglqmrnbdasiocjhfpek", "aqfknsiombhdetpgrjlc",
    "egbamtlpqdfjikshocnr", "lmnerpkgoachbtqfsjdi", "rlcfagpedtjnmbqskhio", "sgdickamtqornebhpflj",
    "dtbgismfcknrqaehpolj", "csbpjomehlrtgiqdanfk", "efsrkqiotcblhadpjgmn", "orpfgiamqejbndtchskl",
    "abrnoijgsqcfmtpdehkl", "khcagilsjpfoqnmbdter", "mcrsqoghibfjkletdpna", "drjtqehkbafmoiglnscp",
    "bielqonhsmkptcjdrafg", "fodmbcphgjratsqlnkei", "iqalmknhfcbpjtdosger", "dkqfalshtjepibcorgnm",
    "hjsqefapkdngltbcmori", "jtdfhqgmnoircbpekals", "kifnjerqmhbaostpgldc", "piaqmfcebgthdkorsnlj",
    "lemjodtaqngbchsprkfi", "bifmtrhkpcjqledagson", "oesbhtcqlapdrgmnifjk", "delshmfpkjiarqctbgon",
    "cjlfgpqrensotakmbdih", "apfhgtindckljosbrmqe", "cgfjbqnokpamierthlds", "kiqchelnjrsodbfmptga",
    "nkbpmsfachiletrqojgd", "idhcnjtgobmksreqaflp", "nelrghadtbjkoicfpqsm", "pbrgolnsqaedimctkhfj",
    "glmrjqoatckhspndefib", "pfchimbltakrgjesdqno", "bermadopfjnltqhgsick", "lokabgphfidjeqtnmrcs",
    "gmcepinjdortaflbhskq", "qeajdsnokmtrchiplgbf", "qsrfnmidlepckhbatogj", "eafqonlicsjkgtdrmhbp",
    "kdbhipstflnjqecargom", "mtqacdlprnkbfihsjoeg", "lhcdotbfpnjaegrimkqs", "noaghjtpidbkfqcrmels",
    "spthkfjoqcalembrindg", "eorjshpqtafglmknbdic", "gbhcqnktfrjdolpimase", "sfnloqghctjabpkmrdei",
    "ofdiagqbptmlsrjcehkn", "iegjoqcnfksrmaldbthp", "iqcdoetmslhargbkpfjn", "jnrbseidthogmlakfpqc",
    "nhepldrqbjictaomfksg", "tmpfljseridqbaoghnck", "cfnmljabroigqsedtkhp", "bingeslrpmatcqojkhdf",
    "qmlnefhpgjsidkaobctr", "sgtknbopeljafiqmrcdh", "dqbrofsmkpaijngeclth", "tefisqhrkdnlcmgabpoj",
    "jiqboflgksranchepmtd", "pbsenidacltgrqfkmohj", "nrsaofcqjpbegmkhtdli", "obgfcjaqsrkmethilpnd",
    "qnboikrfshgdtemljacp", "pqghodljcfsieakrmtnb", "phbkaqoegcmlijsdtrfn", "imokcpadfebjgqshlnrt",
    "dmksblcjrptafgieqonh", "cbtgimpfkdsorlahenjq", "nolihjpgctqrkmbdsefa", "rfomnbiqdsgkcepjhlta",
    "rghafilctqjmkesbpodn", "nihpsotkcemafdjlqbgr", "hfmdtsqnlbrpcoiakgje", "qphjroigtdmsnlfcekba",
    "bcpnlahiksqgrjmetdfo", "hpqojmdgefsktcilarnb", "jpnecldtbahkigofmsqr", "nrdobsgkemjpiqfchtal",
    "htkgmoeaslibdrnpfqjc", "nebjcmphklgrdtqaisof", "hgeaflmtkqripncbosdj", "bsrjgalkdhncmifoetqp",
    "sfmdakritjnpegcloqbh", "cehsgmopidfaqltknjrb", "hnorcqftpgidkmjaebls", "okpfbcsidhmlrjtqneag",
    "jmnsrkgbaoidqchptlfe", "pnhlsbgedtajcmqiokrf", "qdflgiktbjshcmaonrep", "onmfijacglqtekshrdpb",
    "laejospgmcidqrtnkbfh", "eaidctsbnokplmqrgfhj", "ftdgnkqrleajcbmihops", "sdlbgehmpoiafckjqrnt",
    "asrcdikojnqpbmlefthg", "riptolgsnjkeqchbdfma", "leqjcasimohrkbdgpftn", "dqlnhsjcpfbarkomitge",
    "bncdhislapomqtgekfjr", "rmqjkonbichgefldpsat", "ghprbsecqfajnkdlotmi", "gtkmpahcqfsdrnoejlbi",
    "rtajgbcqinfmoldhkpse", "sbdkmqcagtpjoielrnfh", "agslnbeocqdkhijrfmtp", "stqopgbehanmdrifjlck",
    "mgnercflqhjtbsodkaip", "qadbepjrlfimkgoctnsh", "oatrjmbnekdqlihpfgcs", "oenbkpjrqtsmfdagchli",
    "bmktsejipdlafcrghnqo", "erjhtiadmbfpsqgnkloc", "thlpamjgsdfrqcinobke", "btikfaempgdjcqsnlhor",
    "msbaphrficglkjotendq", "mignlpcjtqhardekfobs", "lntmcfophjariskegdqb", "engakcrimtshqfbjplod",
    "ncdaiohjmkfbeplqsrtg", "cnpsibhjqekrmaflodtg", "dricgjmnepkshaqltobf", "cnbpjskgroetidmhflaq",
    "qpbkriaolmhfcgensdtj", "thlqdsbafmnkgocerijp", "mctqdlsgfabepikohnjr", "afectsnhomdrqblpjigk",
    "roptfbesialjhgdcmkqn", "ljbitsmpcadfhoqenkrg", "cntrsjqapmlkhiboedgf", "phtlbojmcqdaegfsknri",
    "mhocfljisntdgpaeqrbk", "ncgmbjtlsiaedqohkprf", "nktibafgophedqcljrsm", "amrhgndqicpseklftjob",
    "rpabkcgmiqsjlfotndhe", "hctramfendqpkbosligj", "qjbfetismkdhlopcngar", "hmealrgdqsfbnkicopjt",
    "aigncpfmhstjoelbdkrq", "kcpnoedlrqihsfjmgbta", "sekidltabnhcfmjgqrpo", "kdimsfehrnbolqjgctap",
    "ibgafspremcnkqdltjoh", "ltaqirdspehokgfbjmcn", "dmsrikjocaptgnhfqble", "lqsimtkaehgjcdbropnf",
    "ofjctenmahqgipsrkbdl", "fgnbmltpihcedjqkaors", "adobtkhcsnegmjrlqpfi", "cebgmdjknaiorhqptfsl",
    "tknaerslcfbjqhdmogpi", "jeoadicklpnshrgtmbqf", "aofnhgrqmekpdjticslb", "apmilcrbqdhnjeogksft",
    "kspgdebnqtflohcjamir", "phqdjfkagitenlmosbrc", "ljihnsdmpboqrefakctg", "pihmcbqfresojdalgnkt",
    "qgcmeptjifadnbrskhlo", "oaktfqgpnmjcbdhielrs", "gdejchnbrosmqaifptlk", "sfjaibrqedtpmonglchk",
    "ntsjbdacgiprokefhlqm", "gkcmdifnjqoehsptlrab", "boprnqgsajicetflmkhd", "mposehidkrbcnlgftajq",
    "kesntdflcqibmpjhagor", "lgkrpefbjscmidhtanoq", "fdqerlstgikoahbcjmnp", "thkjpmlinofcbredsqag",
    "bqkfirchjnmdtseapogl", "srkgbcnmotdfehapjqil", "bjmposqlniearftgkchd", "galstohdkinrfbcjqemp",
    "kaeorgtlcdmisjhpqfbn", "nlcdfbkahspjigqeotrm", "sjkeildhcbrogpnmfaqt", "tdbhpmniqrsocjgekalf",
    "mqoapfrngsidbeckjthl", "hcrmaifdsojnebpqtglk", "clkteqsfoniarbhmjdpg", "pifhacblmotngrksqedj",
    "fcmohbdgpkniljeasqtr", "ndgimjrbpksfhqcaelot", "bqksnhedtgiapjocmrlf", "bjklmncetqadirhpsogf",
    "olbknmsdictheqparjgf", "gspebfjqkcndohimlatr", "stelrkjqmifpbcodhgan", "ecqopklagnsjhrditfbm",
    "ohtcmgbkeslpdijrnfqa", "btocljhrknfidqemsapg", "jtgpqekdarchmsfblion", "qnpoedkrslhjcgbmafti",
    "imgrtnqhalbkdpfocejs", "pbrmqcinhljoegskadtf", "decqojrhpagfsmiktlnb", "stkregjanfhbcdmoilpq",
    "pjiqkernmbgsotcalhdf", "obrtdfqlihkpenajmcsg", "isrobacfdktlqejghmpn", "fralobtjdhmqscgnikep",
    "ajkqmhierfbgcplosdtn", "jrgisletbhqkocnmpafd", "rcdtknqgahmeosijpflb", "jpfqdmsokagntcrhlieb",
    "keaichmrjbgdqlpfntso", "dasiqplbjhfrngmtecok", "aispnqmgrfjtbhdlecko", "tjbsrdlmqgfpchiakeno",
    "lfbqnoihcrgdjsteapkm", "dpklmicaebhnjgqrfsot", "hsrcpajtqkemfodiblng", "cnpjtqomefslhdkbigra",
    "lnbkmatpgeihjcfqords", "pktcesohmabdqlnfjgri", "ebtohgdnpkjsqmcairfl", "kcdlopbfgstmriqhajne",
    "pstanqdekrihlomjgbfc", "lkhsmtaibjefqnrgcdpo", "phtjcroadqbsnkleifmg", "jrcpfltnoqieagdmkbhs",
    "emrfjablptiongcshdqk", "ojerfkhlimspbtadncgq", "dbntpaokscgiqerhjmlf", "ofpjgislqndabrhcemkt",
    "nmolasrfhqpjcetibkgd", "pfhoecsdbjlmnargitqk", "khanbtjcmfsorqldpegi", "jeqstialfhkdcpbmrnog",
    "eirtqfjbncshkldpaogm", "ahsifqpbemlkgcnjotrd", "thfkmodlgrbqnajpceis", "abqkhmlncjedtrgofsip",
    "rgnfjpkoaslembcdhiqt", "ofpqjcmbkarlishtgned", "rsceidnblthmajqokpgf", "tjifbsdpocklqrnehmag",
    "mjnlgortkqsicaedfhpb", "icqfpahslmbkrdjtoegn", "cjbekplsimqroahnfdgt", "jdfthkqilmbegpaoscnr",
    "encrjgbsdlthkipofaqm", "ibrnqtdjcgsamfhpokle", "mgtepjkrnaocqdhbilsf", "kbgqosilajthcdrfmpne",
    "jmogbcdfnprleathiqks", "egnfpadmcjsoiqkthbrl", "jfmcbadprqghlotesikn", "obncpdaeqkitmsgljrhf",
    "mfatdosbhjqpngkriecl", "ogjpahbteclifqmrdnsk", "kerbjohdgmncqilpfats", "lhnfjdbikgpacreqostm",
    "ebmlkgsjahcnqdrfpoit", "blfsemjdrtcahnqkpgoi", "fnlckjrsmaidptghebqo", "ksgqiendflbharpcojtm",
    "agkbpdsniojfqrltechm", "jkibdtqgsrhocmfeanpl", "jlpafibecrnkstdqmohg", "ebclqmakgtrphjfnsido",
    "habrpedsoqgfntiklmcj", "scedrhibtganploqjmfk", "opgaskhreitcfbmjlndq", "jpbkrhqsaenctfdogmil",
    "elgbtascrhnmqkpjofdi", "riqbadpocgshkjfntmle", "dcogfkmsjqtaehrblpni", "olpjthicgsdkenmbarfq",
    "dfagtmijsclrkbpohenq", "sijbfhltnmpdrqagecko", "agcjsibokphtfdlrmqne", "sibtkglnjoqhdacprmfe",
    "tcobmlispahkqrejgnfd", "bnhcdiamjkgprelqostf", "msacnbhqpedrlfokigjt", "ghdpmbarilkqtesnofjc",
    "imhdcjknqobsegfptrla", "srhbacjitlgfnkomdepq", "bkgmdcfnprejltoaqish", "kqoamntclsrihegfdpjb",
    "ehkglbsdnjrpmiftaqco", "ehblogskinpfctjqamdr", "fihacobgqkejnprsmltd", "gciasbqlrmhktfpjeond",
    "josktqnlhmgdriabcfep", "relhknfobcmtdisqagpj", "efrgbnqlatmdishkopcj", "coeitrfkajpgndsbhmql",
    "acpejlmfskgtdqbrhnoi", "osbgqfhirepmkactjnld", "iaejcfgsolrkdntpqmhb", "mrlbshijdqceopgntkaf",
    "paqdeomknrsgtifhbjlc", "ktgralfqscnjibpmdohe", "esgtrhoajnlfibkcdpmq", "tqnahdsfgmpjrockeilb",
    "gthqrfkdimpoeasbcjln", "qsoiflkerpthcbanjdgm", "lhqanepgktjcdbrsomfi", "elishfadojrgqtkcbpnm",
    "nqhcrkosimepjabgtdlf", "sirgldtanmcokqebpjhf", "eabthfqdpnlgmkjrosic", "hkmrlonfpbqtiagcesdj",
    "abcidrhnloejqkfstpmg", "kaqnmpdbsrtihlofgjce", "eiqsbncfomdgjahprktl", "jkeaohldcfmbiqgnsprt",
    "gidhnpojqtmrlfekascb", "ksmrgchfjblaotnpdeqi", "bpmncqfjghdkerslaoti", "mahqsfnobgkedipctjlr",
    "iqmonalrsbhcjtepgdfk", "jlcpfhtrdigsqebaomkn", "sqntaeijpflmrkbgdohc", "qkademgbopsclhjtirfn",
    "tjmfipsnkreodhlbacgq", "hpfjcemsbolatndqkirg", "imphorabgkfctnsljedq", "lsaiqcmgpnjfhotedkbr",
    "jnapbihtefoscrmkdqgl", "ijefcrkmdgtanblpsoqh", "qfgiaterbnsjlkchpdom", "dceabigorhnfjtsklqpm",
    "sciorlphnqbatefkmdgj", "adgmheipknfrjolqbtsc", "toafnhmpskbjicrgqled", "qnjbgcathkerlsdmofpi",
    "lhpgjasnmkotdqbfirce", "nqhkajobslmpitrcfgde", "icodajbpkqnsrtlgfhme", "mtgrohlqjikbescfpand",
    "aonfkjmdeqgshbtplicr", "bdjlrgohiensctpkqafm", "gsenqtdmorkclpijbfha", "lpkngerqfistdmjchoab",
    "dqgjhanpmlsebctofikr", "saqrtdehbofkjmplcnig", "jrctmbfokdhniglqpsae", "jhrpdloigembkascnftq",
    "gbhskjoectadqprnlimf", "ohdjakftcislmpngqber", "ibcesqotrmfkjldaghnp", "hqldpaiftonkesbcrgmj",
    "jdanhlmqeporkscftigb", "pqslojkaeigndrcbhftm", "sfrtjbakmoihnlpcegqd", "ljbqcnehfomirtdspgak",
    "mskegroihfqdptcljnba", "acshlegonidbkptmqfrj", "fphkgdcmqiatlnerjbos", "tqgorlhfjcasminpdbek",
    "centbrigpdhmkafoslqj", "tdbenpmkisajoqghlfcr", "bmsnfjrkgceplodiqtha", "abgphrenfomjdtiklscq",
    "tcrdnbqhpoimgkafsjle", "onhlricdtgapfsqkebmj", "gejilsakqmtprhbcondf", "smkfdhqcaojptilenbgr",
    "rlgidmjkoqcfatphenbs", "bdinmrjopglafesctkqh", "flcahdoqtgsbmejknpri", "cgmstakrionbqelfhjdp",
    "qpboafkhlermdijnstcg", "nclfpseoihkmgdrqjtab", "iqdlabgtoscjrkfpnehm", "iehgclskjnorqfadptbm",
    "omrngbhpjkldsfeqiact", "hcbgsqjlfdpnariekomt", "fjplrqtoehnmsiackbgd", "bfigcplsjmadkqneotrh",
    "qhfsjglicbtnmradpoke", "faljitehokrnsgdmpqcb", "fihogcmakjdsrplbnetq", "gmfdajtkcrliepnhsboq",
    "jkcpnhltiaeqfgrobsdm", "mkbdtqijlrceasnfgpho", "dkcnbfaljhgmqriopets", "qiogelhnmdpastckfjrb",
    "ecohkslipbntgrmfqdaj", "nmakblhtsfodrcjegqpi", "qbjnmecshgrftapikodl", "caqpbsenhkjlotfgrdim",
    "mqrhdbotnlispgekfcja", "gictaknpjrbhqlfdmeso", "dfhotkisarmcgpqjelnb", "ahfrbjsdeotgckniqpml",
    "afksdimtrelqngjochbp", "afbedriktjmcnogqpslh", "mebkshcrgdopqjitanlf", "iptmlhbrjaoqfcdngkse",
    "eihodkqltgmrspjnafbc", "jqcsigtkfapnmlohdbre", "pgdmqjtrfcholksbanei", "ehpjosrbmdlqtngiafck",
    "cqbtrdisgneofaphmlkj", "gbmjdqlatoinrkephscf", "tbmnfihdskolcqaegpjr", "ldpajsmnrbfckoiqghet",
    "lgiksfnqctdheojabmrp", "cnrfosmekhpgiaqlbdtj", "fosqnptcamhjbrdliegk", "fkjaectpgrdhnqlbimso",
    "fjiogsralemnhtdbcqkp", "kacfjsgpnoelmirdhtqb", "hgaoiemfknqpsrlcjdbt", "ftpbqgcjokdrnmihslea",
    "tlmgocinrqbekashdjpf", "taifbrhgkdnceplqsmjo", "qjmkihabgpestnldorfc", "bqiasmfjenkcrdpthlog",
    "ogtfacpqledmhkbinrjs", "ankibdpqomgshtlrcejf", "qsjteafmcroklinbdhgp", "jtsqphdeinafrmkgcbol",
    "fneghpcjrsmaltdoikqb", "nrtecobgdasjpmihqflk", "geldpqkirmbojtshafcn", "kldgnjspqftoraechmbi",
    "nocdjbrmgklqhtieapfs", "raegohmsbqdpkitcjfnl", "hlrfomqncdestjabkigp", "nsokbmqgicrdefljtpah",
    "bcgmpnrketjolhfsqiad", "pqegajtnobmihclksrdf", "alsnigjferotcqmpdhbk", "pqceijasobmgnrhtfdkl",
    "eckqipatsmjrbhngdlfo", "acgrdehjftisblmkpoqn", "afqgropnthcmbejdislk", "rsafpdqnhkcejobtgilm",
    "rjmfholgtdcanebkipqs", "hlnkdecisagrjqofbpmt", "igelkjaomtrdhbsfcnpq", "celgpjqfomsnadrtibhk",
    "kemhtjcpdoaqgirfnsbl", "mgfhoeainbtqspdkcljr", "csegnaldhtopkjbqirmf", "mqhlbendjoaftrcpsigk",
    "jnobhitqfgmrlcakepds", "oqdstfnmhakliebcgjpr", "setmqalhrjckfipdobng", "pqtegfroiakcnhbljmds",
    "kacfmbjdetohrlpiqnsg", "oijatfngrbhldqkmecps", "defpkqnhtsbgjlaicrom", "omadkjrfqhbclgeitnps",
    "brlgcmsdoekthapijqnf", "emhrkcgidpjbsoalqftn", "glncdmkhtsqibfajrope", "fcpbmhtksleiagqjornd",
    "bitmaechpqrgdkflnjso", "ltrhcksnmqeojdbiagfp", "qratpmohflisejgbnckd", "lcqogskejhatmdrfibnp",
    "tqbcgsflkoipamrjenhd", "nilocemtjhgfdspqbark", "fhartkmpgqceosidlbjn", "dcrmikebpjsqgtlnafoh",
    "bcgaophrljqsnmifetkd", "gfmlhajkbicrdnotqspe", "siplhgtafdmbeojkrnqc", "gsbhmrcndalekfjotqip",
    "bekrqdplnfogsjhmciat", "brgjiodaslpchqtfnmke", "qoldmcpefshtbiakrnjg", "neftaqrdbhjgpoicsklm",
    "pibtanlmrdsfgqchkjoe", "dsarmtfnjibeoqglhkpc", "bdiejrmqglpkosfhcnat", "elcajfonqtpbikghdrms",
    "jnokcfeptlhamqirbdgs", "itoaphgnsmjrelcbqfdk", "aftkdjicqsrbgemnohlp", "hjldscrqtgioanfpbkme",
    "mtgheoaplfrscnbidqkj", "qghlicpfmbotjadneksr", "mciatkbshnefjdpqlgor", "mclndasfbpkgiehjrtqo",
    "smloptnfqjabdkrgiech", "agisbpqjolrntkmcfhed", "ptcifkbaeqjsmordgnlh", "qnioagmhljcdskfrbpte",
    "jcmqnlphgabtokiresfd", "cmijelohbkrqdsftnpag", "jrecmflqptnodghibask", "rsqfnjlhipmkaocbtged",
    "sadbkgmtqjfncrhpioel", "hkacgdsfjtleornmbqpi", "eahnkdmptlsbrfcjoqgi", "jrmplitcbnqshgeadkfo",
    "fitocrdqnambjkhlegps", "trnsecimldogkahqpbjf", "omeadqntfijrskbgpchl", "isbglhfrkqcoatdnpmje",
    "jlntrsaoqpbifdghmcke", "kadfghimjcpqtrnosbel", "sijfokqhlptdaenrmbgc", "kjpemqanlhtgibodfsrc",
    "hmisjqfatkdcoplgrenb", "noksghtjrqlmdcpefaib", "kmqineptdbcaojlrghfs", "hdqslpejfniaroctmbgk",
    "gotmfhnicdjapelsqbkr", "folismaqrtncegdbphjk", "aroeqldhntcbifmgjksp", "dmsfpnlktjbgaoeirqhc",
    "gqrjansbcdtfeolhpkmi", "jcebtkdofrqgasnliphm", "bfsgdpjicnmarkotleqh", "qblkadnegrtjmpcfhsoi",
    "lhqsrnbdcjgkftaiemop", "bhqmpogkafldtjscrnie", "dtmjfgcaelkborpqnhis", "cifoltqbrphjmeagknsd",
    "epqfjmaoglkbdnsrcith", "jfichgmskpnoqterabdl", "nbqkghitreojlpasmdfc", "ejhktsgmlfaqpdrcionb",
    "afperhcntqmkgdslijbo", "pigfmebqlhcraskjntdo", "ntsaiodhbjmegkqfrcpl", "notajprilmbekfhsdgcq",
    "jltcabekmoidhsfngpqr", "fsctbjmrongialqehdkp", "kpdhloscftebqargnmji", "dpjqbgnlcotifakerhsm",
    "boarpgfhetqijsmclknd", "jpblnghsarfqcidktemo", "dblormchijgftsaqknep", "tngcilhpkbmqojedsafr",
    "iboaglqrfhptdecjmsnk", "npsifgqhmdrjcotlbeak", "joqaseighkdbrmtlfcpn", "fdcqsaemthrobngjiplk",
    "kdihprltoqbasgcfejmn", "fnkmsalgrtjbcipodqeh", "jrdlbigtkoapfshnmceq", "shtljopmerfbankqcdig",
    "oqsnilemtacdprjhbkfg", "fadktjhmpsnqlgroiecb", "nqrldtcmpbsaeifjhogk", "gtimesnjaqfcboprlhkd",
    "feqgijmpdscorblnktha", "megnhdsrfcqaibtjplko", "gpimjseornqckdahtlfb", "tadlsehcbopjmrkgqinf",
    "bkrqnpdlcsifjtmoehga", "rcgqtfpnhdimsbjkeoal", "lfcbqsmreanjhgotkdpi", "qnikhafdjbglpsertcom",
    "frhcaopimbjkgqesntdl", "hcaekntqsgbridlofjpm", "jfachorestkgiqnmdbpl", "gifndbrapescthlkmjoq",
    "kbgfhralqcdoiejmpnts", "tjakndmhgceqlisopbrf", "bgcklmthpejrfqisdnao", "aklctmjbnrhedqgoifsp",
    "omphceratjsdkfglnqbi", "ltbofmkpsqrjhgedainc", "pklcofiamqhsrdtebngj", "ictejqpmkdhlgsnofbar",
    "pbaficshklnjqotdgmre", "netgadsbcholmjpqrfik", "hcanqfktglsbepmodjir", "tfbmoagqrhelnsdpckji",
    "ndgjabifcselmqkhprot", "enirjdgbctokmlafqhps", "rjaonismkgchlbpeqdtf", "mrfsidknbtogaphceqlj",
    "jkdbsrfemgcoaltpnqhi", "tfmqleardgojhcnbskip", "isjbdfparmgoktechqnl", "limsdfotqpbcjnkgrhae",
    "bepnsfhkamrotdlicgjq", "edgmktprlasfhnbcoqij", "hcjaigefprnmsbodtkql", "jkhebsranmpgfcldqoti",
    "etgqljkbhdpirnamfsco", "rfnbgokpahcqedjsmtli", "pronkfshigejmqdbtacl", "ltrafesbhopciqkgmjdn",
    "daholipnmtsckfbejgqr", "jpofklaredgqthimcnbs", "orknqtagchjifdlsbepm", "jkftornpcgdqeaisbmlh",
    "bsocreadlfgtjmnkqpih", "chmerqjobigltsakdnpf", "hmgaidketfsrlojnqcbp", "pfcseqhiakjdbmtnlgro",
    "hlcdbsfgtanorqmijkpe", "hbcqsglmadnkojpirtfe", "jestafocpmkhbiqgnldr", "rspjnhlfdbogaiteqmkc",
    "keamdjpochtrsbnqflig", "kngiseaboctmdfjhlqrp", "inhmklpgdjetsqfabroc", "mniqhsjfdaetbporgclk",
    "notfpdrkbjchiagsqmle", "hodntqbeafjmrgcskpil", "nhtfdblmkeacposgijqr", "mdfohbptagsrincjklqe",
    "rkjcpslmnbqedgihftoa", "iqdsnbmrohcpkfgljeta", "rhqsmakbjgioepcflntd", "hbdtncofeasigrpqkjml",
    "pmidcsenhkrbajqolgft", "cbehtimlrpnadqkjosfg", "tkcgroshjbipflqaendm", "lraocpfbgtmjneqihdsk",
    "ifstgcenjkqhapblrdmo", "imldtfocprbkghqsanej", "gnpmqihreksoaljcdtbf", "ascmhkenbjiltpdqfgro",
    "egtfhqcojkprsnibdalm", "rcadmetfqhokgilpbsjn", "ifdgrqkbpastocnjhmle", "flgetjrmophdikscanqb",
    "redpofgntlqbiamhskjc", "cmaqrdegfohinjtkblps", "ebqtlnhdicmgrpfakosj", "gfahjemltpnoscdkbqir",
    "osdaeickmtbpqnfhgrlj", "ajnpoqgfltcsdbkrheim", "femnqasjhrtgcibodlkp", "bdjonhpslcemtaifgkqr",
    "odcrqilebgkjhtnfamsp", "thjibokqnmlrcsgedpaf", "tdcjpaenmglifokrhqsb", "eamnpdksoigtqlbjfcrh",
    "ldmaehgnqfjiprotcbks", "mjdbnelkgotahqcpfrsi", "dnsabpljicfeqtrmoghk", "oscnikphfdeamqjgtlbr",
    "niktbeladpqcogmrsjfh", "tceakhfrdilbnpgmjoqs", "kaspiqrebmtdnjlochgf", "aomghlbpkqdrtncsifej",
    "qmogedaltsrnkjhcbpif", "pojrhslkfndqgcaeimbt", "istdhjonaqkgmlprfebc", "acoekbpihglrsdfjnqmt",
    "gmciofhqndbtrjpsekla", "lgboirtefkmhsdcpqajn", "nrmboaskhtqipjcflged", "qahtflirsbjekcomgdnp",
    "selphfjqcngokidarbmt", "raisbqmelpngfcdkthjo", "toprhjgskfmleqacindb", "bgoijdsfqrlaenhkmtpc",
    "fjdobgrlhspatmcqenik", "sbjmednlafiproqgcthk", "tljgcdsaonprfbemihqk", "sqjebmcgrtlhkfoandip",
    "jnshdlktacbqmipefogr", "giefmkojcnhrpabdltqs", "fhnsbokriepamgjdtclq", "migfecsrljabtndhkpqo",
    "omrfcbdplijgskhaetnq", "ckjqdamnogifrebhsltp", "dmsbieotajckgqpnlrhf", "cistmangkopbhfelqrjd",
    "pidsjegclhroatqfknmb", "soefckhamtblgpniqdjr", "fqoknjehacsdpgrbltmi", "rnjcdsmthafeokqbligp",
    "sjngmoherfladtqkbipc", "aedtmghqrnofjplicksb", "ienrpfgkljmdbhcoqsta", "tqghcofkjnsrleapdbim",
    "jqspcogfarmlednbithk", "spkigtqmocdbnlhfarej", "odprjghsabqmcilnkfte", "dmklqhoiecgnrbtspfaj",
    "phfabmetrogqsnjldick", "nkhjgoidlrsqctempfab", "brngqkptdemasohlcfij", "tpasdrqbcjhgfnloikme",
    "iqkopjgldtencrsfbahm", "fdlapojknmercitqbhgs", "dkmiacpqlhtobngsfjre", "bomnjiqtcpsahdlgrkef",
    "cepsflgqonadmtkhrbij", "sqmknadhgotpfilejbrc", "rgakpbfohlqmcntjdsei",
};

/* test_max_rel_err, the largest relative error against an R value, is printed by main */
#define check_r(got, want, tol) test_expect_close(got, want, tol, "against R")

static void decode_perms(const char *const *rows, size_t nrow, size_t n, int32_t *perm)
{
    for (size_t p = 0; p < nrow; p++) {
        assert_int_equal(strlen(rows[p]), n);
        for (size_t i = 0; i < n; i++) perm[p * n + i] = rows[p][i] - 'a';
    }
}

/* Gower matrix of the Bray-Curtis distances of the relative abundances of dune rows 0..n-1
 * (vegdist(dune / rowSums(dune))). */
static double *dune_gower(size_t n)
{
    double *d = malloc(n * n * sizeof *d), *g = malloc(gower_packed_size(n) * sizeof *g);
    assert_non_null(d);
    assert_non_null(g);
    test_bray_curtis(DUNE, n, DUNE_SPECIES_N, 1, d);
    assert_int_equal(gower_full(d, n, g), 0);
    free(d);
    return g;
}

/* D ~ Management + A1 + Moist: treatment dummies HF, NM, SF (BF reference), then A1, Moist;
 * with_a1b adds A1b = 2 A1 + 1 after A1 (aliased). Returns ncol. */
static size_t design_a(double *x, int *assign, int with_a1b)
{
    size_t ncol = with_a1b ? 6 : 5;
    for (size_t i = 0; i < 20; i++) {
        double *row = x + i * ncol;
        for (int l = 1; l <= 3; l++) row[l - 1] = management[i] == l;
        row[3] = a1[i];
        if (with_a1b) row[4] = 2 * a1[i] + 1;
        row[ncol - 1] = moist[i];
    }
    int a[6] = {0, 0, 0, 1, 2, 3};
    if (!with_a1b) a[4] = 2;
    memcpy(assign, a, ncol * sizeof *assign);
    return ncol;
}

static int32_t *perms_seed42(void)
{
    int32_t *p = malloc(999 * 20 * sizeof *p);
    assert_non_null(p);
    decode_perms(shuffle_seed42, 999, 20, p);
    return p;
}

/* ---- adonis2, test vector A ------------------------------------------------------------------ */

/* Run design A (by) with R's permutation matrix; rows gets ntests + 2 entries. */
static void run_a(permanova_by_t by, int with_a1b, permanova_row_t *rows, size_t *ntests)
{
    double *g = dune_gower(20), x[20 * 6];
    int assign[6];
    size_t ncol = design_a(x, assign, with_a1b);
    permanova_t *t;
    assert_int_equal(permanova_create(g, 20, x, ncol, assign, with_a1b ? 4 : 3, by, &t), 0);
    *ntests = permanova_ntests(t);
    uint64_t exceed[4] = {0};
    int32_t *perm = perms_seed42();
    assert_int_equal(permanova_count_explicit(t, perm, 999, 2, exceed), 0);
    permanova_table(t, exceed, 999, rows);
    permanova_destroy(t);
    free(perm);
    free(g);
}

static void check_resid_total(const permanova_row_t *rows)
{
    /* adonis2(...)$SumOfSqs etc. for Residual and Total, the same for every `by` */
    assert_true(rows[0].df == 14 && rows[1].df == 19);
    check_r(rows[0].ss, 1.74933506338198352, 1e-10);
    check_r(rows[0].r2, 0.40017626991986494, 1e-10);
    check_r(rows[1].ss, 4.37141128766152676, 1e-12);
    assert_true(rows[1].r2 == 1.0 && isnan(rows[0].f) && isnan(rows[1].p));
}

static void test_adonis_terms(void **state)
{
    (void)state;
    permanova_row_t rows[5];
    size_t nt;
    run_a(PERMANOVA_BY_TERMS, 0, rows, &nt);
    assert_int_equal(nt, 3);
    /* set.seed(42); P <- shuffleSet(20, 999)
     * adonis2(D ~ Management + A1 + Moist, data = env, permutations = P, by = "terms") */
    const double df[] = {3, 1, 1};
    const double ss[] = {1.50090331005619637, 0.44834286149091018, 0.67283005273243668};
    const double r2[] = {0.34334525197675919, 0.10256249800982462, 0.15391598009355123};
    const double f[] = {4.0039301752676764, 3.5881062423443493, 5.3846864076703485};
    const double p[] = {0.001, 0.008, 0.001};
    for (int k = 0; k < 3; k++) {
        assert_true(rows[k].df == df[k]);
        check_r(rows[k].ss, ss[k], 1e-10);
        check_r(rows[k].r2, r2[k], 1e-10);
        check_r(rows[k].f, f[k], 1e-10);
        assert_true(rows[k].p == p[k]); /* (count + 1) / 1000, exactly as R */
    }
    check_resid_total(rows + 3);
}

static void test_adonis_margin(void **state)
{
    (void)state;
    permanova_row_t rows[5];
    size_t nt;
    run_a(PERMANOVA_BY_MARGIN, 0, rows, &nt);
    /* ... by = "margin" */
    const double df[] = {3, 1, 1};
    const double ss[] = {1.07318755828896295, 0.21134641992971037, 0.67283005273243512};
    const double r2[] = {0.245501392494930720, 0.048347411401494893, 0.153915980093550869};
    const double f[] = {2.8629212951726588, 1.6914140355110763, 5.3846864076703351};
    const double p[] = {0.003, 0.120, 0.001};
    for (int k = 0; k < 3; k++) {
        assert_true(rows[k].df == df[k]);
        check_r(rows[k].ss, ss[k], 1e-10);
        check_r(rows[k].r2, r2[k], 1e-10);
        check_r(rows[k].f, f[k], 1e-10);
        assert_true(rows[k].p == p[k]);
    }
    check_resid_total(rows + 3);
}

static void test_adonis_model(void **state)
{
    (void)state;
    permanova_row_t rows[3];
    size_t nt;
    run_a(PERMANOVA_BY_MODEL, 0, rows, &nt);
    assert_int_equal(nt, 1);
    /* ... by = NULL: the "Model" row */
    assert_true(rows[0].df == 5);
    check_r(rows[0].ss, 2.6220762242795432, 1e-10);
    check_r(rows[0].r2, 0.59982373008013501, 1e-10);
    check_r(rows[0].f, 4.1969166351635447, 1e-10);
    assert_true(rows[0].p == 0.001);
    check_resid_total(rows + 1);
}

/* F* of single permutations equal vegan's permustats(adonis2(...))$permutations rows 1-3. */
static void test_adonis_fperm(void **state)
{
    (void)state;
    static const double want[2][3][3] = {{{0.60143766817174460, 0.60114752221291212, 0.90567952890669223},
                                          {0.89190923570854608, 0.70253100070994479, 0.87711978890582609},
                                          {1.45421823032789543, 2.83290386625909285, 2.81935218766552742}},
                                         {{0.59650445747401537, 0.62257848481048661, 0.90567952890669301},
                                          {0.88888524808503089, 0.82482219104114118, 0.87711978890582465},
                                          {1.30073728401245425, 2.78600921495777110, 2.81935218766552653}}};
    double *g = dune_gower(20), x[20 * 5], f[3];
    int assign[5];
    size_t ncol = design_a(x, assign, 0);
    int32_t *perm = perms_seed42();
    for (int b = 0; b < 2; b++) {
        permanova_t *t;
        assert_int_equal(permanova_create(g, 20, x, ncol, assign, 3, b ? PERMANOVA_BY_MARGIN : PERMANOVA_BY_TERMS, &t),
                         0);
        for (int p = 0; p < 3; p++) {
            assert_int_equal(permanova_permuted_f(t, perm + p * 20, f), 0);
            for (int k = 0; k < 3; k++) check_r(f[k], want[b][p][k], 1e-10);
        }
        int32_t id[20];
        permanova_row_t rows[5];
        for (int i = 0; i < 20; i++) id[i] = i;
        assert_int_equal(permanova_permuted_f(t, id, f), 0);
        permanova_table(t, NULL, 0, rows);
        for (int k = 0; k < 3; k++) assert_true(f[k] == rows[k].f && isnan(rows[k].p));
        permanova_destroy(t);
    }
    free(perm);
    free(g);
}

/* Management + A1 + A1b + Moist with A1b = 2 A1 + 1: A1b is aliased. R drops its row from the
 * by = "terms" table (df 0) and prints df 0 with noise for A1 and A1b by = "margin". */
static void test_adonis_aliased(void **state)
{
    (void)state;
    permanova_row_t rows[6];
    size_t nt;
    run_a(PERMANOVA_BY_TERMS, 1, rows, &nt);
    assert_int_equal(nt, 4);
    assert_true(rows[2].df == 0 && rows[2].ss == 0 && isnan(rows[2].f) && isnan(rows[2].p));
    check_r(rows[0].f, 4.0039301752676764, 1e-10);
    check_r(rows[1].f, 3.5881062423443493, 1e-10);
    check_r(rows[3].ss, 0.67283005273243668, 1e-10);
    check_r(rows[3].f, 5.3846864076703485, 1e-10);
    assert_true(rows[0].p == 0.001 && rows[1].p == 0.008 && rows[3].p == 0.001);
    check_resid_total(rows + 4);
    run_a(PERMANOVA_BY_MARGIN, 1, rows, &nt);
    assert_true(rows[1].df == 0 && rows[2].df == 0 && isnan(rows[1].p) && isnan(rows[2].p));
    assert_true(rows[0].df == 3 && rows[3].df == 1);
    check_r(rows[0].ss, 1.0731875582889630, 1e-10);
    check_r(rows[0].f, 2.8629212951726588, 1e-10);
    check_r(rows[3].ss, 0.67283005273243512, 1e-10);
    check_r(rows[3].f, 5.3846864076703351, 1e-10);
    assert_true(rows[0].p == 0.003 && rows[3].p == 0.001);
    check_resid_total(rows + 4);
}

/* n = 6: permute enumerates all 719 non-identity permutations, so p is exact under any seed. */
static void test_small_n_exact(void **state)
{
    (void)state;
    double *g = dune_gower(6), x[6 * 2];
    for (int i = 0; i < 6; i++) {
        x[i * 2] = a1[i];
        x[i * 2 + 1] = moist[i];
    }
    int assign[2] = {0, 1};
    permanova_t *t;
    permanova_row_t rows[4];
    /* adonis2(vegdist(rel[1:6, ], "bray") ~ A1, data = env[1:6, ], permutations = 999) */
    double xa[6];
    for (int i = 0; i < 6; i++) xa[i] = a1[i];
    assert_int_equal(permanova_create(g, 6, xa, 1, assign, 1, PERMANOVA_BY_TERMS, &t), 0);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        assert_int_equal(permanova_run(t, 999, seed, 1, rows), 0);
        check_r(rows[0].ss, 0.18838664828418197, 1e-10);
        check_r(rows[1].ss, 0.46460085440093385, 1e-10);
        check_r(rows[2].ss, 0.65298750268511574, 1e-12);
        check_r(rows[0].f, 1.6219225298420228, 1e-10);
        assert_true(rows[0].p == 148.0 / 720.0); /* 0.205555555555556 */
    }
    permanova_destroy(t);
    /* ... ~ A1 + Moist, by = "margin": p 69/720 and 70/720 */
    assert_int_equal(permanova_create(g, 6, x, 2, assign, 2, PERMANOVA_BY_MARGIN, &t), 0);
    assert_int_equal(permanova_run(t, 999, 42, 2, rows), 0);
    check_r(rows[0].ss, 0.18923702420103417, 1e-10);
    check_r(rows[1].ss, 0.17915226354666158, 1e-10);
    check_r(rows[2].ss, 0.28544859085427121, 1e-10);
    check_r(rows[0].f, 1.9888382384516077, 1e-10);
    check_r(rows[1].f, 1.8828496894362674, 1e-10);
    check_r(rows[0].p, 0.095833333333333340, 1e-15);
    check_r(rows[1].p, 0.097222222222222224, 1e-15);
    permanova_destroy(t);
    free(g);
}

/* Our own permutation stream against R's p (docs/STATS.md S2 (c): within Monte Carlo error). */
static void test_adonis_monte_carlo(void **state)
{
    (void)state;
    double *g = dune_gower(20), x[20 * 5];
    int assign[5];
    size_t ncol = design_a(x, assign, 0);
    const double p_r[] = {0.003, 0.120, 0.001};
    permanova_t *t;
    permanova_row_t rows[5];
    assert_int_equal(permanova_create(g, 20, x, ncol, assign, 3, PERMANOVA_BY_MARGIN, &t), 0);
    assert_int_equal(permanova_run(t, 999, 20240601, 0, rows), 0);
    for (int k = 0; k < 3; k++) {
        double pbar = (rows[k].p + p_r[k]) / 2;
        double bound = 4 * sqrt(2 * pbar * (1 - pbar) / 1000) + 1.0 / 1000;
        if (fabs(rows[k].p - p_r[k]) > bound) fail_msg("term %d: p %g vs R %g", k, rows[k].p, p_r[k]);
    }
    permanova_destroy(t);
    free(g);
}

static void test_gower_layouts(void **state)
{
    (void)state;
    size_t n = 20, np = gower_packed_size(n);
    double *d = malloc(n * n * sizeof *d), *low = malloc(n * (n - 1) / 2 * sizeof *low);
    float *low32 = malloc(n * (n - 1) / 2 * sizeof *low32);
    double *g1 = malloc(np * sizeof *g1), *g2 = malloc(np * sizeof *g2), *g3 = malloc(np * sizeof *g3);
    test_bray_curtis(DUNE, n, DUNE_SPECIES_N, 1, d);
    for (size_t i = 1, o = 0; i < n; i++)
        for (size_t j = 0; j < i; j++, o++) {
            low[o] = d[i * n + j];
            low32[o] = (float)d[i * n + j];
        }
    assert_int_equal(gower_full(d, n, g1), 0);
    assert_int_equal(gower_lower(low, n, g2), 0);
    assert_int_equal(gower_lower_f32(low32, n, g3), 0);
    double trace = 0.0;
    for (size_t i = 0; i < n; i++) trace += g1[i * (i + 1) / 2 + i];
    check_r(trace, 4.37141128766153, 1e-12); /* SS_T = tr(G) */
    assert_string_equal(DUNE_SPECIES[1], "Agrostol");
    assert_memory_equal(g1, g2, np * sizeof *g1);
    for (size_t k = 0; k < np; k++) assert_true(fabs(g3[k] - g1[k]) < 1e-7);
    /* G's rows sum to zero: it is double-centred */
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < n; j++) s += j <= i ? g1[i * (i + 1) / 2 + j] : g1[j * (j + 1) / 2 + i];
        assert_true(fabs(s) < 1e-14);
    }
    free(d);
    free(low);
    free(low32);
    free(g1);
    free(g2);
    free(g3);
}

/* ---- betadisper(type = "centroid") + permutest -------------------------------------------------- */

static void test_betadisper(void **state)
{
    (void)state;
    /* b <- betadisper(D, Management, type = "centroid"); b$distances */
    static const double z_r[20] = {0.58141562305557271, 0.26140851024827605, 0.20416101272214496, 0.27724345159213754,
                                   0.27409527522839094, 0.28580872989430955, 0.19853960318296743, 0.37577098089054795,
                                   0.32189210805338264, 0.17552526964869691, 0.33344700386211751, 0.35975039520019159,
                                   0.33383549116550432, 0.47736651291313303, 0.38285497848282340, 0.50694935072972147,
                                   0.57973201047978284, 0.44670254402837201, 0.44285376469704890, 0.39807525789037640};
    /* tapply(b$distances, Management, mean) */
    static const double mean_r[4] = {0.25679359458636347, 0.29122133944991968, 0.45459751141525612,
                                     0.37722588741087876};
    double *g = dune_gower(20), z[20], mean[4], f, df1, df2, p;
    size_t nneg = 99;
    assert_int_equal(betadisper_centroid(g, 20, management, 4, z, mean, &nneg), 0);
    assert_int_equal(nneg, 0);
    for (int i = 0; i < 20; i++) check_r(z[i], z_r[i], 1e-10);
    for (int h = 0; h < 4; h++) check_r(mean[h], mean_r[h], 1e-10);
    /* anova(b): F 3.8245321732130111 on (3, 16), Pr(>F) 0.0306284921544141 */
    assert_int_equal(betadisper_anova(z, 20, management, 4, &f, &df1, &df2, &p), 0);
    check_r(f, 3.8245321732130111, 1e-10);
    assert_true(df1 == 3 && df2 == 16);
    check_r(p, 0.0306284921544141, 1e-9);
    /* set.seed(7); permutest(b, permutations = shuffleSet(20, 999)): Pr(>F) 0.023 */
    int32_t *perm = malloc(999 * 20 * sizeof *perm);
    decode_perms(shuffle_seed7, 999, 20, perm);
    uint64_t exceed = 0;
    assert_int_equal(betadisper_count_explicit(z, 20, management, 4, f, perm, 999, 2, &exceed), 0);
    assert_int_equal(exceed, 22);
    /* the same count whatever the threads or the split */
    uint64_t e1 = 0, e2 = 0;
    assert_int_equal(betadisper_count_explicit(z, 20, management, 4, f, perm, 500, 1, &e1), 0);
    assert_int_equal(betadisper_count_explicit(z, 20, management, 4, f, perm + 500 * 20, 499, 3, &e1), 0);
    assert_int_equal(e1, 22);
    /* our stream: p within Monte Carlo error of R's 0.023 */
    assert_int_equal(betadisper_count_random(z, 20, management, 4, f, 99, 0, 999, 2, &e2), 0);
    double pc = (e2 + 1.0) / 1000, pbar = (pc + 0.023) / 2;
    assert_true(fabs(pc - 0.023) <= 4 * sqrt(2 * pbar * (1 - pbar) / 1000) + 0.001);
    free(perm);
    free(g);
}

/* z from explicit PCoA axes, as vegan computes it: axes with |lambda| > max(sqrt(eps),
 * sqrt(eps) lambda_1), coordinates v sqrt|lambda|, z^2 = pos. distance^2 - neg. distance^2
 * (the imaginary axes subtract). Must equal the eigen-free formula. */
static void test_betadisper_imaginary_axes(void **state)
{
    (void)state;
    size_t n = 20;
    double *g = dune_gower(n), *a = malloc(n * n * sizeof *a), *v = malloc(n * n * sizeof *v);
    double lam[20], z[20];
    lapack_int m, isuppz[40];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = g[i * (i + 1) / 2 + j];
    assert_int_equal(LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'A', 'L', (lapack_int)n, a, (lapack_int)n, 0, 0, 0, 0, 0, &m,
                                    lam, v, (lapack_int)n, isuppz),
                     0);
    double cut = fmax(sqrt(DBL_EPSILON), sqrt(DBL_EPSILON) * lam[n - 1]);
    size_t negatives = 0;
    double d2[20] = {0};
    for (size_t ax = 0; ax < n; ax++) {
        if (fabs(lam[ax]) <= cut) continue;
        negatives += lam[ax] < 0;
        double centre[4] = {0}, cnt[4] = {0}, s = sqrt(fabs(lam[ax]));
        for (size_t i = 0; i < n; i++) {
            centre[management[i]] += v[i * n + ax] * s;
            cnt[management[i]]++;
        }
        for (size_t i = 0; i < n; i++) {
            double dd = v[i * n + ax] * s - centre[management[i]] / cnt[management[i]];
            d2[i] += lam[ax] > 0 ? dd * dd : -dd * dd;
        }
    }
    assert_int_equal(negatives, 6); /* G has 6 negative eigenvalues (docs/STATS.md S9, vector A) */
    assert_int_equal(betadisper_centroid(g, n, management, 4, z, NULL, NULL), 0);
    for (size_t i = 0; i < n; i++) assert_true(fabs(z[i] - sqrt(d2[i])) < 1e-13);
    free(a);
    free(v);
    free(g);
}

/* ---- the blocked kernel against a naive computation ----------------------------------------- */

/* Random community (n x 40, ~half zeros) -> Bray-Curtis -> Gower (packed g, full gfull), and a
 * design: a 3-level factor (2 dummies), a skewed and a uniform covariate; assign {0,0,1,2}. */
static void random_problem(size_t n, uint64_t seed, double *g, double *gfull, double *x, int *assign)
{
    test_rng_t s = {seed};
    enum { S = 40 };
    double *ab = malloc(n * S * sizeof *ab), *d = calloc(n * n, sizeof *d);
    assert_non_null(ab);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++) {
        int lev = (int)(test_rng_next(&s) % 3);
        x[i * 4] = lev == 1;
        x[i * 4 + 1] = lev == 2;
        x[i * 4 + 2] = exp(2 * test_rng_uniform(&s));
        x[i * 4 + 3] = test_rng_uniform(&s);
        for (size_t k = 0; k < S; k++)
            ab[i * S + k] = test_rng_uniform(&s) < 0.5 ? 0 : floor(20 * test_rng_uniform(&s) * (1 + lev * (k < 5)));
        ab[i * S] += 1; /* no empty sample */
    }
    test_bray_curtis(ab, n, S, 0, d);
    assert_int_equal(gower_full(d, n, g), 0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) gfull[i * n + j] = gfull[j * n + i] = g[i * (i + 1) / 2 + j];
    const int a[4] = {0, 0, 1, 2};
    memcpy(assign, a, sizeof a);
    free(ab);
    free(d);
}

/* Orthonormal basis (column-major, n x r) of the centred columns with use[c] set. */
static size_t naive_basis(const double *x, size_t n, const int *use, double *q)
{
    size_t r = 0;
    for (size_t c = 0; c < 4; c++) {
        if (!use[c]) continue;
        double *v = q + r * n, mean = 0;
        for (size_t i = 0; i < n; i++) mean += x[i * 4 + c] / n;
        for (size_t i = 0; i < n; i++) v[i] = x[i * 4 + c] - mean;
        for (int pass = 0; pass < 2; pass++)
            for (size_t b = 0; b < r; b++) {
                double dot = 0;
                for (size_t i = 0; i < n; i++) dot += q[b * n + i] * v[i];
                for (size_t i = 0; i < n; i++) v[i] -= dot * q[b * n + i];
            }
        double norm = 0;
        for (size_t i = 0; i < n; i++) norm += v[i] * v[i];
        for (size_t i = 0; i < n; i++) v[i] /= sqrt(norm);
        r++;
    }
    return r;
}

/* tr(H G^pi) = sum_c q_c' G^pi q_c with G^pi(i,j) = G(perm_i, perm_j), formed explicitly. */
static double naive_ss(const double *gfull, size_t n, const int32_t *perm, const double *x, const int *use)
{
    double *q = malloc(4 * n * sizeof *q), ss = 0;
    size_t r = naive_basis(x, n, use, q);
    for (size_t c = 0; c < r; c++)
        for (size_t i = 0; i < n; i++) {
            double row = 0;
            for (size_t j = 0; j < n; j++) row += gfull[(size_t)perm[i] * n + perm[j]] * q[c * n + j];
            ss += q[c * n + i] * row;
        }
    free(q);
    return ss;
}

static void check_against_naive(size_t n, uint64_t seed)
{
    double *g = malloc(gower_packed_size(n) * sizeof *g), *gfull = malloc(n * n * sizeof *gfull);
    double *x = malloc(n * 4 * sizeof *x), f[3], sst = 0;
    int assign[4];
    int32_t *perm = malloc(n * sizeof *perm);
    random_problem(n, seed, g, gfull, x, assign);
    for (size_t i = 0; i < n; i++) sst += gfull[i * n + i];
    const int all[4] = {1, 1, 1, 1}, drop[3][4] = {{0, 0, 1, 1}, {1, 1, 0, 1}, {1, 1, 1, 0}};
    const int prefix[3][4] = {{1, 1, 0, 0}, {1, 1, 1, 0}, {1, 1, 1, 1}};
    const double df[3] = {2, 1, 1}, dfr = (double)n - 5;
    permanova_t *tm, *tt;
    assert_int_equal(permanova_create(g, n, x, 4, assign, 3, PERMANOVA_BY_MARGIN, &tm), 0);
    assert_int_equal(permanova_create(g, n, x, 4, assign, 3, PERMANOVA_BY_TERMS, &tt), 0);
    for (uint64_t p = 0; p < 4; p++) {
        perm_draw(seed, p, n, perm);
        double ssm = naive_ss(gfull, n, perm, x, all), ms = (sst - ssm) / dfr, prev = 0;
        assert_int_equal(permanova_permuted_f(tm, perm, f), 0);
        for (int k = 0; k < 3; k++) {
            double want = ((ssm - naive_ss(gfull, n, perm, x, drop[k])) / df[k]) / ms;
            if (fabs(f[k] - want) > 1e-10 * fabs(want)) fail_msg("n %zu margin %d: %.17g vs %.17g", n, k, f[k], want);
        }
        assert_int_equal(permanova_permuted_f(tt, perm, f), 0);
        for (int k = 0; k < 3; k++) {
            double ssk = naive_ss(gfull, n, perm, x, prefix[k]), want = ((ssk - prev) / df[k]) / ms;
            prev = ssk;
            if (fabs(f[k] - want) > 1e-10 * fabs(want)) fail_msg("n %zu terms %d: %.17g vs %.17g", n, k, f[k], want);
        }
    }
    permanova_destroy(tm);
    permanova_destroy(tt);
    free(g);
    free(gfull);
    free(x);
    free(perm);
}

static void test_kernel_vs_naive(void **state)
{
    (void)state;
    printf("kernel vs naive: seeds 11, 12, 13\n");
    check_against_naive(37, 11);  /* n % 4 == 1: single-row tails */
    check_against_naive(601, 12); /* > 2 cache blocks of 256 rows, ragged end */
    check_against_naive(7, 13);
}

/* Euclidean distances given as data (permanova_create_data) test exactly what their Gower
 * matrix does: the same SS and F (to rounding) for the observed and permuted designs, and the
 * same counts, for n on both sides of the register tiles. */
/* got within rel of want (not against R: kept out of the "against R" figure). */
static void same_value(double got, double want, double rel, const char *what)
{
    if (!(fabs(got - want) <= rel * fmax(fabs(want), 1e-300))) fail_msg("%s: %.17g vs %.17g", what, got, want);
}

static void test_data_form(void **state)
{
    (void)state;
    const size_t ns[] = {9, 61}, m = 7;
    for (size_t a = 0; a < 2; a++) {
        size_t n = ns[a];
        double *g = malloc(gower_packed_size(n) * sizeof *g), *gfull = malloc(n * n * sizeof *gfull);
        double *x = malloc(n * 4 * sizeof *x), *y = malloc(n * m * sizeof *y), *d = malloc(n * n * sizeof *d);
        double *yc = malloc(n * m * sizeof *yc), *yt = malloc(n * m * sizeof *yt), f1[3], f2[3];
        int assign[4];
        int32_t *perm = malloc(n * sizeof *perm);
        random_problem(n, 31 + a, g, gfull, x, assign); /* for the design */
        test_rng_t rng = {77 + a};
        for (size_t k = 0; k < n * m; k++) y[k] = 5.0 + test_rng_uniform(&rng);
        diversity_dist_t full = {DIVERSITY_FULL, d, NULL, 0, 0};
        assert_int_equal(diversity_euclidean(y, n, m, 1, &full), 0);
        assert_int_equal(gower_full(d, n, g), 0);
        assert_int_equal(gower_centre_data(y, n, m, yc, yt), 0);
        for (int by = PERMANOVA_BY_TERMS; by <= PERMANOVA_BY_MODEL; by++) {
            permanova_t *tg, *td;
            assert_int_equal(permanova_create(g, n, x, 4, assign, 3, (permanova_by_t)by, &tg), 0);
            assert_int_equal(permanova_create_data(yt, m, n, x, 4, assign, 3, (permanova_by_t)by, &td), 0);
            permanova_row_t rg[5], rd[5];
            uint64_t cg[3] = {0}, cd[3] = {0};
            assert_int_equal(permanova_count_random(tg, 3, 0, 199, 2, cg), 0);
            assert_int_equal(permanova_count_random(td, 3, 0, 199, 2, cd), 0);
            permanova_table(tg, cg, 199, rg);
            permanova_table(td, cd, 199, rd);
            for (size_t r = 0; r < permanova_ntests(tg) + 2; r++) {
                same_value(rd[r].ss, rg[r].ss, 1e-12, "data form SS");
                if (r < permanova_ntests(tg)) same_value(rd[r].f, rg[r].f, 1e-11, "data form F");
            }
            assert_memory_equal(cd, cg, sizeof cg);
            for (uint64_t p = 0; p < 3; p++) {
                perm_draw(9, p, n, perm);
                assert_int_equal(permanova_permuted_f(tg, perm, f1), 0);
                assert_int_equal(permanova_permuted_f(td, perm, f2), 0);
                for (size_t k = 0; k < permanova_ntests(tg); k++) same_value(f2[k], f1[k], 1e-10, "data form F*");
            }
            permanova_destroy(tg);
            permanova_destroy(td);
        }
        permanova_t *t = NULL;
        assert_int_equal(permanova_create_data(NULL, m, n, x, 4, assign, 3, PERMANOVA_BY_TERMS, &t), GB_E_USAGE);
        assert_null(t);
        free(g), free(gfull), free(x), free(y), free(d), free(yc), free(yt), free(perm);
    }
}

/* Counts do not depend on the number of threads nor on how the range is split. */
static void test_thread_and_split_invariance(void **state)
{
    (void)state;
    size_t n = 150;
    double *g = malloc(gower_packed_size(n) * sizeof *g), *gfull = malloc(n * n * sizeof *gfull);
    double *x = malloc(n * 4 * sizeof *x);
    int assign[4];
    random_problem(n, 21, g, gfull, x, assign);
    printf("invariance: data seed 21, permutation seed 5\n");
    for (int by = PERMANOVA_BY_TERMS; by <= PERMANOVA_BY_MODEL; by++) {
        permanova_t *t;
        assert_int_equal(permanova_create(g, n, x, 4, assign, 3, (permanova_by_t)by, &t), 0);
        uint64_t a[3] = {0}, b[3] = {0}, c[3] = {0};
        assert_int_equal(permanova_count_random(t, 5, 0, 999, 1, a), 0);
        assert_int_equal(permanova_count_random(t, 5, 0, 999, 2, b), 0);
        assert_int_equal(permanova_count_random(t, 5, 0, 401, 3, c), 0);
        assert_int_equal(permanova_count_random(t, 5, 401, 999, 2, c), 0);
        assert_memory_equal(a, b, sizeof a);
        assert_memory_equal(a, c, sizeof a);
        /* explicit rows of the same stream give the same counts */
        int32_t *perm = malloc(999 * n * sizeof *perm);
        for (uint64_t p = 0; p < 999; p++) perm_draw(5, p, n, perm + p * n);
        uint64_t e[3] = {0};
        assert_int_equal(permanova_count_explicit(t, perm, 999, 2, e), 0);
        assert_memory_equal(a, e, sizeof a);
        free(perm);
        permanova_destroy(t);
    }
    free(g);
    free(gfull);
    free(x);
}

/* ---- permutations ---------------------------------------------------------------------------- */

static int is_permutation(const int32_t *p, size_t n)
{
    int seen[64] = {0};
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0 || (size_t)p[i] >= n || seen[p[i]]) return 0;
        seen[p[i]] = 1;
    }
    return 1;
}

static void check_set(size_t n, uint64_t requested, perm_mode_t mode, uint64_t nperm)
{
    perm_plan_t plan;
    assert_int_equal(perm_plan(n, requested, &plan), 0);
    assert_int_equal(plan.mode, mode);
    assert_int_equal(plan.nperm, nperm);
    if (mode == PERM_RANDOM) return;
    int32_t *p = malloc(nperm * n * sizeof *p);
    assert_int_equal(perm_set(n, &plan, 3, p), 0);
    for (uint64_t k = 0; k < nperm; k++) {
        assert_true(is_permutation(p + k * n, n));
        int identity = 1;
        for (size_t i = 0; i < n; i++) identity &= p[k * n + i] == (int32_t)i;
        assert_false(identity);
        for (uint64_t l = 0; l < k; l++) assert_true(memcmp(p + k * n, p + l * n, n * sizeof *p) != 0);
    }
    free(p);
}

static void test_permutation_plans(void **state)
{
    (void)state;
    check_set(2, 999, PERM_ALL, 1);
    check_set(5, 999, PERM_ALL, 119);
    check_set(6, 999, PERM_ALL, 719);
    check_set(6, 100, PERM_DISTINCT, 100);
    check_set(7, 999, PERM_DISTINCT, 999); /* R: 999 distinct rows of the 5039 */
    check_set(7, 5039, PERM_ALL, 5039);
    check_set(8, 999, PERM_RANDOM, 999);
    check_set(20, 999, PERM_RANDOM, 999);
    perm_plan_t plan;
    assert_int_equal(perm_plan(1, 999, &plan), GB_E_USAGE);
    assert_int_equal(perm_plan(10, 0, &plan), GB_E_USAGE);
}

static void test_permutation_stream(void **state)
{
    (void)state;
    int32_t a[20], b[20];
    int count[5][5] = {{0}};
    for (uint64_t k = 0; k < 50000; k++) {
        perm_draw(77, k, 5, a);
        assert_true(is_permutation(a, 5));
        for (int i = 0; i < 5; i++) count[i][a[i]]++;
    }
    for (int i = 0; i < 5; i++) /* each position takes each value 1/5 of the time */
        for (int v = 0; v < 5; v++) assert_true(abs(count[i][v] - 10000) < 400);
    perm_draw(77, 123, 20, a);
    perm_draw(77, 123, 20, b);
    assert_memory_equal(a, b, sizeof a);
    perm_draw(78, 123, 20, b);
    assert_true(memcmp(a, b, sizeof a) != 0);
    perm_draw(77, 124, 20, b);
    assert_true(memcmp(a, b, sizeof a) != 0);
}

/* ---- bad input -------------------------------------------------------------------------------- */

static void test_bad_input(void **state)
{
    (void)state;
    double d[9] = {0, 0.5, 0.4, 0.5, 0, 0.3, 0.4, 0.3, 0}, g[6];
    assert_int_equal(gower_full(d, 3, g), 0);
    d[3] = -1e-9; /* tolerated, as adonis2 */
    assert_int_equal(gower_full(d, 3, g), 0);
    d[3] = -0.01;
    assert_int_equal(gower_full(d, 3, g), GB_E_FORMAT);
    d[3] = NAN;
    assert_int_equal(gower_full(d, 3, g), GB_E_FORMAT);
    assert_int_equal(gower_full(d, 1, g), GB_E_USAGE);

    double *gd = dune_gower(20), x[20 * 5];
    int assign[5];
    size_t ncol = design_a(x, assign, 0);
    permanova_t *t = (permanova_t *)1;
    int bad1[5] = {0, 0, 1, 0, 2}, bad2[5] = {1, 1, 1, 2, 3};
    assert_int_equal(permanova_create(gd, 20, x, ncol, bad1, 3, PERMANOVA_BY_TERMS, &t), GB_E_USAGE);
    assert_null(t);
    assert_int_equal(permanova_create(gd, 20, x, ncol, bad2, 4, PERMANOVA_BY_TERMS, &t), GB_E_USAGE);
    assert_int_equal(permanova_create(gd, 20, x, ncol, assign, 4, PERMANOVA_BY_TERMS, &t), GB_E_USAGE);
    double constant[20];
    for (int i = 0; i < 20; i++) constant[i] = 3;
    int one[1] = {0};
    assert_int_equal(permanova_create(gd, 20, constant, 1, one, 1, PERMANOVA_BY_MARGIN, &t), GB_E_USAGE);
    /* 5 samples, 4 independent columns: no residual df */
    double *g5 = dune_gower(5), x5[5 * 4];
    int a5[4] = {0, 1, 2, 3};
    for (int i = 0; i < 5; i++)
        for (int c = 0; c < 4; c++) x5[i * 4 + c] = pow(a1[i], c + 1);
    assert_int_equal(permanova_create(g5, 5, x5, 4, a5, 4, PERMANOVA_BY_MARGIN, &t), GB_E_USAGE);

    assert_int_equal(permanova_create(gd, 20, x, ncol, assign, 3, PERMANOVA_BY_MARGIN, &t), 0);
    int32_t *perm = perms_seed42();
    perm[5 * 20 + 3] = perm[5 * 20 + 4]; /* row 5 is no longer a permutation */
    uint64_t exceed[3] = {7, 7, 7};
    assert_int_equal(permanova_count_explicit(t, perm, 999, 1, exceed), GB_E_USAGE);
    assert_true(exceed[0] == 7 && exceed[1] == 7 && exceed[2] == 7);
    assert_int_equal(permanova_count_random(t, 1, 10, 5, 1, exceed), GB_E_USAGE);
    permanova_destroy(t);
    permanova_destroy(NULL);

    double z[20];
    int grp[20];
    memcpy(grp, management, sizeof grp);
    grp[4] = 4;
    assert_int_equal(betadisper_centroid(gd, 20, grp, 4, z, NULL, NULL), GB_E_USAGE);
    double f, df1, df2, p;
    for (int i = 0; i < 20; i++) grp[i] = 0;
    assert_int_equal(betadisper_anova(z, 20, grp, 2, &f, &df1, &df2, &p), GB_E_USAGE);
    free(perm);
    free(gd);
    free(g5);
}

int main(void)
{
    set_management_codes();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gower_layouts),     cmocka_unit_test(test_adonis_terms),
        cmocka_unit_test(test_adonis_margin),     cmocka_unit_test(test_adonis_model),
        cmocka_unit_test(test_adonis_fperm),      cmocka_unit_test(test_adonis_aliased),
        cmocka_unit_test(test_small_n_exact),     cmocka_unit_test(test_adonis_monte_carlo),
        cmocka_unit_test(test_betadisper),        cmocka_unit_test(test_betadisper_imaginary_axes),
        cmocka_unit_test(test_kernel_vs_naive),   cmocka_unit_test(test_thread_and_split_invariance),
        cmocka_unit_test(test_permutation_plans), cmocka_unit_test(test_permutation_stream),
        cmocka_unit_test(test_bad_input),         cmocka_unit_test(test_data_form),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    printf("largest relative error against R: %.3g\n", test_max_rel_err);
    return failed;
}
