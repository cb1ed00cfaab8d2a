#ifndef GB_VERSION_H
#define GB_VERSION_H
#define GB_VERSION "0.1.0"
#endif
