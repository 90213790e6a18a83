#
# pkicards: PKCS#15 layout for ACS ACOS5 (v1, ACOS5-64 V2/V3), the layout of
# ACS's own tools (doc/acos5-card.md §4.1). Loaded after pkcs15.profile
# by the pkcs15init module libpkicards-p15init.so (card driver acos5_ext).
#
# Access conditions are ACOS5 SE-file references: SEN<n> means "the
# condition in record n of the SE file of the file's DF" (acos5-card.md §3.3,
# §3.4); NONE and NEVER are the SCBs 00 and FF. Nothing else is accepted.
#   MF  (SE file 0003): SE#1 = SO PIN (global 01), SE#2 = SO PIN or its PUK (02)
#   4100 (SE file 4103): SE#1 = user PIN (local 81), SE#3 = SO PIN (global 01),
#                        SE#4 = user PIN or SO PIN, SE#5 = SO PIN or the user
#                        PIN's PUK (local 82)
# SE#2 and SE#5 serve only the original ACOS5, which keeps a PIN's PUK in the
# next PIN record and unblocks by rewriting the PIN record: the module sets
# the update condition of its PIN files to them. ACOS5-64 keep the PUK in the
# PIN's own record and use the conditions written below.
# prop-attr of an internal EF is its File Descriptor Byte: 09 RSA key,
# 0A PIN file, 0C symmetric key file, 1C SE file. The "content" of an SE file
# is its records, each starting with 80 01 <id>.
# Files named proto-* are not created as such: they give the access
# conditions and first file ID of the key, certificate and data files the
# module creates (private keys 41F1.., public keys 4131.. (private FID - C0),
# certificates 4120.., data objects 4140.., private data objects 4150..).
#

cardinfo {
    label           = "ACOS5";
    manufacturer    = "Advanced Card Systems Ltd.";
    min-pin-length  = 4;
    max-pin-length  = 8;
    pin-encoding    = ascii-numeric;
    pin-pad-char    = 0xFF;
}

pkcs15 {
    # No rewrite of the whole TokenInfo by OpenSC (it would do so after a
    # PIN or key only): the driver rewrites its lastUpdate time in place
    # before every change instead (doc/acos5.md "File cache")
    do-last-update  = no;
}

PIN so-pin {
    auth-id     = 02;
    reference   = 0x01;
    attempts    = 8;
    min-length  = 4;
    max-length  = 8;
    stored-length = 8;
    flags       = initialized, needs-padding, soPin;
}
PIN so-puk {
    attempts    = 8;
    min-length  = 4;
}
PIN user-pin {
    reference   = 0x81;
    attempts    = 8;
    min-length  = 4;
    max-length  = 8;
    stored-length = 8;
    flags       = local, initialized, needs-padding;
}
PIN user-puk {
    attempts    = 8;
}

filesystem {
    DF MF {
        path    = 3F00;
        type    = DF;
        ACL     = *=NEVER, DELETE=SEN1, CREATE=SEN1, CREATE-DF=SEN1, DEACTIVATE=SEN1,
                  ACTIVATE=NONE;

        EF MF-PIN {
            file-id     = 0001;
            type        = internal-ef;
            prop-attr   = 0A;
            structure   = linear-fixed;
            record-length = 21;
            size        = 42;
            ACL         = *=NEVER, UPDATE=SEN1, ACTIVATE=NONE, DELETE-SELF=SEN1;
        }
        EF MF-SYMKEY {
            file-id     = 0002;
            type        = internal-ef;
            prop-attr   = 0C;
            structure   = linear-variable;
            record-length = 37;
            size        = 74;
            ACL         = *=NEVER, UPDATE=SEN1, CRYPTO=SEN1, ACTIVATE=NONE, DELETE-SELF=SEN1;
        }
        EF MF-SE {
            file-id     = 0003;
            type        = internal-ef;
            prop-attr   = 1C;
            structure   = linear-variable;
            record-length = 56;
            size        = 448;
            ACL         = *=NEVER, READ=NONE, UPDATE=SEN1, ACTIVATE=NONE, DELETE-SELF=SEN1;
            content     = 800101A406830101950108800102A409830101830102950108;
        }
        EF DIR {
            file-id     = 2F00;
            size        = 128;
            ACL         = *=NEVER, READ=NONE, UPDATE=SEN1, ACTIVATE=NONE, DELETE-SELF=SEN1;
        }

        DF PKCS15-AppDF {
            file-id     = 4100;
            aid         = 41:43:4F:53:50:4B:43:53:2D:31:35:76:31:2E:30:30;
            ACL         = *=NEVER, DELETE=SEN4, CREATE=SEN4, CREATE-DF=SEN3, DEACTIVATE=SEN3,
                          ACTIVATE=NONE, DELETE-SELF=SEN3;

            EF APP-PIN {
                file-id     = 4101;
                type        = internal-ef;
                prop-attr   = 0A;
                structure   = linear-fixed;
                record-length = 21;
                size        = 42;
                ACL         = *=NEVER, UPDATE=SEN3, ACTIVATE=NONE, DELETE-SELF=SEN3;
            }
            EF APP-SYMKEY {
                file-id     = 4102;
                type        = internal-ef;
                prop-attr   = 0C;
                structure   = linear-variable;
                record-length = 37;
                size        = 148;
                ACL         = *=NEVER, UPDATE=SEN3, CRYPTO=SEN1, ACTIVATE=NONE, DELETE-SELF=SEN3;
            }
            EF APP-SE {
                file-id     = 4103;
                type        = internal-ef;
                prop-attr   = 1C;
                structure   = linear-variable;
                record-length = 56;
                size        = 448;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN3, ACTIVATE=NONE, DELETE-SELF=SEN3;
                content     = 800101A406830181950108800103A406830101950108800104A409830181830101950108800105A409830101830182950108;
            }
            EF PKCS15-ODF {
                file-id     = 5031;
                size        = 108;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN3;
            }
            EF PKCS15-TokenInfo {
                file-id     = 5032;
                size        = 192;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN3;
            }
            EF PKCS15-AODF {
                file-id     = 4111;
                size        = 256;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN3;
            }
            EF PKCS15-PrKDF {
                file-id     = 4112;
                size        = 768;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN3;
            }
            EF PKCS15-PuKDF {
                file-id     = 4113;
                size        = 768;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN3;
            }
            EF PKCS15-SKDF {
                file-id     = 4114;
                size        = 256;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN3;
            }
            EF PKCS15-CDF {
                file-id     = 4115;
                size        = 1024;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN3;
            }
            EF PKCS15-DODF {
                file-id     = 4116;
                size        = 512;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN3;
            }

            # Prototypes (not created as such, see the head of this file)
            EF proto-private-key {
                file-id     = 41F1;
                type        = internal-ef;
                prop-attr   = 09;
                ACL         = *=NEVER, UPDATE=SEN1, CRYPTO=SEN1, ACTIVATE=NONE, DEACTIVATE=SEN1, DELETE-SELF=SEN4;
            }
            EF proto-public-key {
                file-id     = 4131;
                type        = internal-ef;
                prop-attr   = 09;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN1, CRYPTO=NONE, ACTIVATE=NONE, DEACTIVATE=SEN1, DELETE-SELF=SEN4;
            }
            EF proto-certificate {
                file-id     = 4120;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN4;
            }
            EF proto-data {
                file-id     = 4140;
                ACL         = *=NEVER, READ=NONE, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN4;
            }
            EF proto-privdata {
                file-id     = 4150;
                ACL         = *=NEVER, READ=SEN1, UPDATE=SEN4, ACTIVATE=NONE, DELETE-SELF=SEN4;
            }
        }
    }
}
