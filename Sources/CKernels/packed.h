// A weight matrix packed for the matrix kernels, shared by the C files that make and read it (not
// part of the module's interface): dnnl_matmul.c packs it and runs oneDNN (or strip_product.c's
// kernel) on it, gemv.c runs Tether's GEMV on it, fma_paths.c says which run where.
#ifndef TETHER_CKERNELS_PACKED_H
#define TETHER_CKERNELS_PACKED_H
#include "CKernels.h"

#if __has_include(<oneapi/dnnl/dnnl.h>)
#include <oneapi/dnnl/dnnl.h>
#define TK_HAVE_DNNL_HEADERS 1
#else
#define TK_HAVE_DNNL_HEADERS 0
#endif

// Products of up to this many rows on bf16 weights run the GEMV (decoding: a token, a check of
// a few drafted ones); tests switch it off to compare with oneDNN's kernel.
enum { GEMV_MAX_ROWS = 8 };

#if TK_HAVE_DNNL_HEADERS
struct tk_packed {
    long n, k;
    dnnl_memory_desc_t md;
    void *data;
    size_t bytes;
    float *scales;  // int8 weights: each output channel's scale (NULL for bf16)
    // Weights in oneDNN's "BA16a64b2a" (bf16) or "BA16a64b4a" (int8, with its s8s8 compensation:
    // −128·Σk w per column, int32, after the data) layout, which gemv.c and strip_product.c read:
    // strips of 64 output columns, each K_padded × 64 values in a row, holding for every pair (quad)
    // of k the 64 columns' weights side by side (what vdpbf16ps / vpdpbusd read). 0: another layout.
    long gemv_k;  // K padded to 32 (64) when the layout is that one
    long gemv_n;  // N padded to 64
};

/// y = x · W for 1…GEMV_MAX_ROWS rows on Tether's GEMV (gemv.c): bf16 weights (`split` as for
/// tk_dnnl_linear) or int8 ones. 0 when this CPU, the layout or the tests' switch rule it out.
int tk_packed_gemv_bf16(const tk_packed *w, const float *x, long m, float *y, int split);
int tk_packed_gemv_s8(const tk_packed *w, const float *x, long m, float *y);

/// x (k floats) to int8 at its own symmetric scale (max |x| → 127), which is returned; rounded to
/// nearest even (dnnl_matmul.c).
float tk_quantize_s8(const float *x, long k, int8_t *q);
#endif

#endif
