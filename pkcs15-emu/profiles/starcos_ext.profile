#
# pkicards: PKCS#15 layout for G+D StarCOS SPK 2.3 / 2.4 (card driver
# starcos_ext), loaded after pkcs15.profile by libpkicards-p15init.so.
# The layout is OpenSC's StarCOS layout (doc/starcos-card.md §4.1):
# MF 3F00 with its IPF 0010 and EF.DIR, the PKCS#15 DF 5015 with its IPF 0010
# and the PKCS#15 files. PINs, PUKs and private keys live in the ISF (internal
# secret file) of the MF or of 5015, written with WRITE KEY.
#
# Access conditions become SPK 2.x AC bytes (starcos-card.md §3.1.2): NONE = 9F,
# NEVER = 5F, $SOPIN = 01 (global state 1, set by VERIFY of the SO PIN 01),
# $PIN = 1E (local state 0E of 5015, set by VERIFY of the user PIN 83). The
# card enforces them only after "pkcs15-init --finalize" (CREATE END).
# The structure, PINs, TokenInfo, data objects need the SO PIN (the module
# verifies it before each such change: the card does not report ACs on
# SELECT). The user's keys and certificates need only the user PIN, so that
# Windows enrolment through OpenSC's minidriver (no SO PIN there) works:
# key records 91..94 are prepared with the user PIN (pkcs15-starcos.c), the
# PrKDF, PuKDF and CDF are created with the application and have
# UPDATE=$PIN, public keys and certificates are direct values in them.
#

cardinfo {
    label           = "StarCOS";
    manufacturer    = "Giesecke+Devrient";
    min-pin-length  = 4;
    max-pin-length  = 8;
    pin-encoding    = ascii-numeric;
    pin-pad-char    = 0x00;
}

pkcs15 {
    # TokenInfo is written once; no lastUpdate rewrite after every change
    do-last-update  = no;
}

# SO PIN: global KID 01 (MF ISF), SO PUK 02; user PIN: local KID 83 (5015
# ISF), its PUK 84: SafeSign's 3 tries for the user PIN, 10 for the PUKs.
PIN so-pin {
    auth-id     = 02;
    reference   = 0x01;
    attempts    = 3;
    min-length  = 4;
    max-length  = 8;
    stored-length = 8;
    flags       = initialized, needs-padding, soPin;
}
PIN so-puk {
    attempts    = 10;
    min-length  = 4;
}
PIN user-pin {
    reference   = 0x83;
    attempts    = 3;
    min-length  = 4;
    max-length  = 8;
    stored-length = 8;
    flags       = local, initialized, needs-padding;
}
PIN user-puk {
    attempts    = 10;
}

filesystem {
    DF MF {
        path    = 3F00;
        type    = DF;
        size    = 768;
        ACL     = *=$SOPIN;

        # internal public file (type A1): public keys of the MF
        EF MF-IPF {
            file-id     = 0010;
            size        = 256;
            ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN;
        }
        EF DIR {
            file-id     = 2F00;
            size        = 128;
            ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN;
        }

        DF PKCS15-AppDF {
            file-id     = 5015;
            aid         = A0:00:00:00:63:50:4B:43:53:2D:31:35;
            size        = 16000;
            ACL         = *=$SOPIN;

            EF P15-IPF {
                file-id     = 0010;
                size        = 1280;
                ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN;
            }
            EF PKCS15-ODF {
                ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN;
            }
            EF PKCS15-TokenInfo {
                ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN;
            }
            EF PKCS15-UnusedSpace {
                ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN;
            }
            EF PKCS15-AODF {
                ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN;
            }
            # the user's directories (see the top): four keys with public
            # keys and certificates as direct values
            EF PKCS15-PrKDF {
                size        = 768;
                ACL         = *=NEVER, READ=NONE, UPDATE=$PIN;
            }
            EF PKCS15-PuKDF {
                size        = 1024;
                ACL         = *=NEVER, READ=NONE, UPDATE=$PIN;
            }
            EF PKCS15-CDF {
                size        = 4096;
                ACL         = *=NEVER, READ=NONE, UPDATE=$PIN;
            }
            EF PKCS15-DODF {
                ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN;
            }

            # Object files. Private keys are ISF records (KID 91..9F), no files.
            template key-domain {
                # private keys: ISF records; the module sets KID and path
                BSO private-key {
                    ACL         = *=$SOPIN;
                }
                EF public-key {
                    file-id     = 3003;
                    structure   = transparent;
                    ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN, ERASE=$SOPIN;
                }
                EF certificate {
                    file-id     = 3104;
                    structure   = transparent;
                    ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN, ERASE=$SOPIN;
                }
                EF data {
                    file-id     = 3301;
                    structure   = transparent;
                    ACL         = *=NEVER, READ=NONE, UPDATE=$SOPIN, ERASE=$SOPIN;
                }
                EF privdata {
                    file-id     = 3401;
                    structure   = transparent;
                    ACL         = *=NEVER, READ=$PIN, UPDATE=$SOPIN, ERASE=$SOPIN;
                }
            }
        }
    }
}
