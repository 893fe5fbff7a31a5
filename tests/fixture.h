/*
 * tests/fixture.h - a small gazetteer and store list in the GeoNames and CSV formats,
 * written by tests that need a database with known content.
 */
#ifndef REUP_TESTS_FIXTURE_H
#define REUP_TESTS_FIXTURE_H
#include "tests/testlib.h"

/* geonameid, name, asciiname, alternatenames, lat, lon, class, code, country, cc2,
 * admin1, admin2, admin3, admin4, population, elevation, dem, timezone, modified */
#define PLACE(id, name, ascii, alts, lat, lon, cc, a1, pop)                                      \
    id "\t" name "\t" ascii "\t" alts "\t" lat "\t" lon "\tP\tPPL\t" cc "\t\t" a1 "\t\t\t\t" pop \
       "\t\t0\tUTC\t2024-01-01\n"

/* One place per line reads better than any reflow. */
/* clang-format off */
static const char fixture_places[] =
    PLACE("1", "Springfield", "Springfield", "", "39.80172", "-89.64371", "US", "IL", "116250")
    PLACE("2", "Springfield", "Springfield", "", "42.10148", "-72.58981", "US", "MA", "155929")
    PLACE("3", "Springfield", "Springfield", "Sprinfild", "37.21533", "-93.29824", "US", "MO", "166810")
    PLACE("4", "Bigtown", "Bigtown", "Smallville,Big Town", "40.0", "-100.0", "US", "TX", "1000000")
    PLACE("5", "Smallville", "Smallville", "", "41.0", "-101.0", "US", "TX", "10")
    PLACE("6", "Copenhagen", "Copenhagen", "København,Kobenhavn,Kopenhagen", "55.67594", "12.56553", "DK", "17", "1153615")
    PLACE("7", "Zürich", "Zurich", "Zuerich", "47.36667", "8.55", "CH", "ZH", "341730")
    PLACE("8", "Tromsø", "Tromso", "", "69.6489", "18.95508", "NO", "54", "38980")
    PLACE("9", "Paris", "Paris", "Lutece", "48.85341", "2.3488", "FR", "11", "2138551")
    PLACE("10", "Paris", "Paris", "", "33.66094", "-95.55551", "US", "TX", "24782")
    PLACE("11", "Rock Springs", "Rock Springs", "", "41.58746", "-109.2029", "US", "WY", "23036")
    PLACE("12", "Bachaw Norte, Kalibo", "Bachaw Norte, Kalibo", "", "11.7", "122.37", "PH", "", "3000");
/* clang-format on */

static const char fixture_countries[] = "# ISO\tISO3\tISO-Numeric\tfips\tCountry\tCapital\n"
                                        "US\tUSA\t840\tUS\tUnited States\tWashington\n"
                                        "DK\tDNK\t208\tDA\tDenmark\tCopenhagen\n"
                                        "CH\tCHE\t756\tSZ\tSwitzerland\tBern\n"
                                        "NO\tNOR\t578\tNO\tNorway\tOslo\n"
                                        "FR\tFRA\t250\tFR\tFrance\tParis\n";

static const char fixture_admin1[] = "US.IL\tIllinois\tIllinois\t4896861\n"
                                     "US.MA\tMassachusetts\tMassachusetts\t6254926\n"
                                     "US.MO\tMissouri\tMissouri\t4398678\n"
                                     "US.TX\tTexas\tTexas\t4736286\n"
                                     "US.WY\tWyoming\tWyoming\t5843591\n"
                                     "DK.17\tCapital Region\tCapital Region\t6418538\n"
                                     "CH.ZH\tZurich\tZurich\t2657895\n"
                                     "FR.11\tÎle-de-France\tIle-de-France\t3012874\n";

static const char fixture_postal[] =
    "US\t82901\tRock Springs\tWyoming\tWY\tSweetwater\t037\t\t\t41.606\t-109.23\t4\n"
    "US\t62701\tSpringfield\tIllinois\tIL\tSangamon\t167\t\t\t39.8\t-89.6495\t4\n";

static const char fixture_stores[] =
    "id,chain,name,address,city,region,postal,country,lat,lon,phone\n"
    "S1,Walmart,Walmart Rock Springs,201 Gateway Blvd,Rock Springs,WY,82901,US,41.6,-109.25,555-0101\n"
    "S2,Walmart,Walmart Springfield,\"2760 N Dirksen Pkwy, Suite 1\",Springfield,IL,62702,US,39.83,-89.61,\n"
    "S3,Corner Shop,Corner Shop Springfield,1 Main St,Springfield,IL,62701,US,39.80,-89.64,555-0103\n";

#endif
