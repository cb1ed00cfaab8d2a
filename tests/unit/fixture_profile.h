/* A profile_t over the caller's arrays, shared by the tests that write cohorts from profiles
 * (test_cohort_h5.c, test_biom_read.c). */
#ifndef GB_FIXTURE_PROFILE_H
#define GB_FIXTURE_PROFILE_H
#include <stdint.h>
#include <string.h>
#include "profile.h"

/* Sample id with n taxa (taxid, count borrowed, not copied); its QC values derive from i. */
static profile_t fixture_profile(const char *id, size_t n, uint32_t *taxid, uint64_t *count, uint64_t i)
{
    profile_t p;
    memset(&p, 0, sizeof p);
    p.id = (char *)id;
    p.ntaxa = n;
    p.taxid = taxid;
    p.count = count;
    for (size_t k = 0; k < n; k++) p.classified += count[k];
    p.unclassified = 100 + i;
    p.reads = p.classified + p.unclassified;
    p.bases = p.reads * 150;
    p.fingerprint = 0x1234567890abcdefULL ^ i;
    return p;
}

#endif
