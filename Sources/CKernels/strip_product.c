// Products of many rows on bf16 weights in the GEMV's strip layout (dnnl_matmul.c's
// "BA16a64b2a": strips of 64 output columns, each holding for every pair of k the 64 columns'
// two weights side by side), computed with f32 FMAs. Made for CPUs whose bf16 dot product is
// slow (the Intel Xeon of docs/benchmarks.md: vdpbf16ps does half the multiply-adds of an f32
// FMA), where it reaches ~80 % of the FMA's peak.
//
// bf16 → f32 is exact (the 16 bits move up), and so is a product of two bf16 values in f32, so
// with x rounded to bf16 this computes what a bf16 product with f32 sums does; with x as it is,
// what an f32 product does on weights stored in bf16.
//
// The blocking: x is copied once per chunk of rows into panels of 12 rows laid out pair by pair
// (PANEL_ROWS × 2 floats per pair of k); each task owns 2 strips (128 columns) and walks k in
// blocks of 512, so a panel's block (24 KB) stays in L1 while both strips use it and the strips'
// block (128 KB) stays in L2 while every panel passes. The 12 × 32 micro-kernel keeps 24
// accumulators in registers and turns 32 columns × 2 k of bf16 into f32 with a shift and a mask.
#include "CKernels.h"
#include "bf16.h"

#include <stdlib.h>
#include <string.h>

enum { PANEL_ROWS = 12, STRIPS_PER_TASK = 2, K_BLOCK = 512 };

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// c (12 × 32, rows ldc apart) = (accumulate ? c : 0) + Σ over `pairs` pairs of k of the panel's
// rows × the 32 columns starting at b (b + p·128 holds pair p's 64 bf16: column j's two at 2j).
__attribute__((target("avx512f"))) static void kernel_12x32(const float *a, const uint16_t *b, long pairs, float *c,
                                                            long ldc, int accumulate) {
    __m512 acc[PANEL_ROWS][2];
    for (int i = 0; i < PANEL_ROWS; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    const __m512i high = _mm512_set1_epi32((int)0xffff0000u);
    for (long p = 0; p < pairs; p++) {
        const __m512i v0 = _mm512_loadu_si512(b + p * 128), v1 = _mm512_loadu_si512(b + p * 128 + 32);
        const __m512 even0 = _mm512_castsi512_ps(_mm512_slli_epi32(v0, 16));
        const __m512 odd0 = _mm512_castsi512_ps(_mm512_and_si512(v0, high));
        const __m512 even1 = _mm512_castsi512_ps(_mm512_slli_epi32(v1, 16));
        const __m512 odd1 = _mm512_castsi512_ps(_mm512_and_si512(v1, high));
        const float *ap = a + p * PANEL_ROWS * 2;
#pragma GCC unroll 12
        for (int i = 0; i < PANEL_ROWS; i++) {
            const __m512 x0 = _mm512_set1_ps(ap[2 * i]), x1 = _mm512_set1_ps(ap[2 * i + 1]);
            acc[i][0] = _mm512_fmadd_ps(x0, even0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(x0, even1, acc[i][1]);
            acc[i][0] = _mm512_fmadd_ps(x1, odd0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(x1, odd1, acc[i][1]);
        }
    }
#pragma GCC unroll 12
    for (int i = 0; i < PANEL_ROWS; i++) {
        float *row = c + i * ldc;
        if (accumulate) {
            acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(row));
            acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(row + 16));
        }
        _mm512_storeu_ps(row, acc[i][0]);
        _mm512_storeu_ps(row + 16, acc[i][1]);
    }
}

typedef struct {
    const float *x;
    float *panels;  // panel_count × (kp / 2) × PANEL_ROWS × 2
    const uint16_t *strips;
    float *y;
    long m, k, kp, n, first_row, rows, panel_count;
    int round_x;
    int failed;  // a task's scratch could not be allocated
} strip_job;

// Panel `index` of the chunk: its 12 rows of x (zeros past the chunk or past k), pair by pair.
static void pack_panel(void *context, long index) {
    const strip_job *j = context;
    float *out = j->panels + index * PANEL_ROWS * j->kp;
    for (int i = 0; i < PANEL_ROWS; i++) {
        const long r = index * PANEL_ROWS + i;
        const float *row = r < j->rows ? j->x + (j->first_row + r) * j->k : NULL;
        for (long c = 0; c < j->kp; c++) {
            float v = row && c < j->k ? row[c] : 0;
            if (j->round_x) v = from_bf16(to_bf16(v));
            out[(c / 2) * PANEL_ROWS * 2 + 2 * i + (c % 2)] = v;
        }
    }
}

// Columns [index · 128, +128) of the chunk's rows of y. Rows past the chunk and columns past n
// are computed into a scratch block and copied out.
static void product_task(void *context, long index) {
    strip_job *j = context;
    const long first_strip = index * STRIPS_PER_TASK, width = STRIPS_PER_TASK * 64;
    const long strips = (j->n + 63) / 64 - first_strip < STRIPS_PER_TASK ? (j->n + 63) / 64 - first_strip : STRIPS_PER_TASK;
    const long col0 = first_strip * 64, cols = j->n - col0 < width ? j->n - col0 : width;
    const long full_panels = j->rows / PANEL_ROWS;
    // Scratch: every panel when columns stop short of the task's width, else the last partial one.
    const int narrow = cols < strips * 64;
    const long scratch_panels = narrow ? j->panel_count : (full_panels < j->panel_count ? 1 : 0);
    float *scratch = scratch_panels ? malloc(sizeof(float) * (size_t)(scratch_panels * PANEL_ROWS * width)) : NULL;
    if (scratch_panels && !scratch) {
        __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
        return;
    }
    const long pairs = j->kp / 2;
    for (long p0 = 0; p0 < pairs; p0 += K_BLOCK / 2) {
        const long count = pairs - p0 < K_BLOCK / 2 ? pairs - p0 : K_BLOCK / 2;
        for (long q = 0; q < j->panel_count; q++) {
            const float *a = j->panels + q * PANEL_ROWS * j->kp + p0 * PANEL_ROWS * 2;
            float *c;
            long ldc;
            if (narrow) {
                c = scratch + q * PANEL_ROWS * width, ldc = width;
            } else if (q >= full_panels) {
                c = scratch, ldc = width;
            } else {
                c = j->y + (j->first_row + q * PANEL_ROWS) * j->n + col0, ldc = j->n;
            }
            for (long s = 0; s < strips; s++) {
                const uint16_t *b = j->strips + (first_strip + s) * j->kp * 64 + p0 * 128;
                kernel_12x32(a, b, count, c + s * 64, ldc, p0 > 0);
                kernel_12x32(a, b + 64, count, c + s * 64 + 32, ldc, p0 > 0);
            }
        }
    }
    for (long q = narrow ? 0 : full_panels; q < j->panel_count; q++) {
        const float *block = scratch + (narrow ? q : 0) * PANEL_ROWS * width;
        for (long i = 0; i < PANEL_ROWS && q * PANEL_ROWS + i < j->rows; i++)
            memcpy(j->y + (j->first_row + q * PANEL_ROWS + i) * j->n + col0, block + i * width,
                   sizeof(float) * (size_t)cols);
    }
    free(scratch);
}

int tk_strips_f32_product(const uint16_t *strips, long kp, long n, long k, const float *x, long m, float *y,
                          int round_x) {
    if (tk_simd_level() < 2 || m <= 0 || n <= 0 || k <= 0 || kp < k || kp % 2) return 0;
    // Rows a chunk: its panels take at most ~32 MB, so the copy of x stays small however long x is;
    // the weights are read once a chunk.
    long chunk = (32L << 20) / (long)(sizeof(float) * (size_t)kp) / PANEL_ROWS * PANEL_ROWS;
    if (chunk < 8 * PANEL_ROWS) chunk = 8 * PANEL_ROWS;
    if (chunk > m) chunk = (m + PANEL_ROWS - 1) / PANEL_ROWS * PANEL_ROWS;
    float *panels = aligned_alloc(64, (sizeof(float) * (size_t)(chunk * kp) + 63) / 64 * 64);
    if (!panels) return 0;
    strip_job job = {.x = x, .panels = panels, .strips = strips, .y = y, .m = m, .k = k, .kp = kp, .n = n,
                     .round_x = round_x};
    const long tasks = ((n + 63) / 64 + STRIPS_PER_TASK - 1) / STRIPS_PER_TASK;
    for (long r0 = 0; r0 < m && !job.failed; r0 += chunk) {
        job.first_row = r0;
        job.rows = m - r0 < chunk ? m - r0 : chunk;
        job.panel_count = (job.rows + PANEL_ROWS - 1) / PANEL_ROWS;
        tk_parallel_for(job.panel_count, pack_panel, &job);
        tk_parallel_for(tasks, product_task, &job);
    }
    free(panels);
    return !job.failed;
}

#else

int tk_strips_f32_product(const uint16_t *strips, long kp, long n, long k, const float *x, long m, float *y,
                          int round_x) {
    (void)strips, (void)kp, (void)n, (void)k, (void)x, (void)m, (void)y, (void)round_x;
    return 0;
}

#endif
