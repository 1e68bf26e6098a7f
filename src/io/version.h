/* qrd's release version, recorded in every results file. */
#ifndef QRD_VERSION_H
#define QRD_VERSION_H

#ifndef QRD_VERSION
#define QRD_VERSION "0.1.0"
#endif

#endif
