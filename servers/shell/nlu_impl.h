/*
 * nlu_impl.h: the inside of nlu.c that its unit test, its fuzz target and
 * the accuracy tool look at. The shell itself uses nlu.h only.
 */
#ifndef SHELL_NLU_IMPL_H
#define SHELL_NLU_IMPL_H

#include "nlu_model.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The feature hash: FNV-1a of N bytes at BYTES, finished with murmur3's
 * mixer. tools/nlu-train computes the same. */
uint32_t nlu_hash(const void *bytes, size_t n);

/* What the classifier makes of a line. */
struct nlu_scores {
    unsigned ntokens;               /* tokens of the line (at most NLU_TOKENS_MAX) */
    unsigned nfeatures;             /* hashed features added up */
    double checksum;                /* sum of (bucket + 1) * value over the features */
    int top;                        /* the most probable class */
    double p[NLU_NCLASSES];         /* each class's probability */
    const char *name[NLU_NCLASSES]; /* each class's name ("unknown" last) */
};

/* Classify LINE (as nlu_interpret does, without slots) into OUT. */
void nlu_classify(const char *line, struct nlu_scores *out);

/* Whether the generated lexicon is sorted, as its binary search needs. */
bool nlu_lexicon_sorted(void);

#endif
