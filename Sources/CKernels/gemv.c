// Tether's GEMV: products of 1…8 rows (a decoded token, a speculative check) on weights in
// oneDNN's packed strip layouts (packed.h), streamed at the memory's speed, which oneDNN's small-M
// kernel does not reach. Two forms for bf16 weights — the rows' bf16 pairs on the bf16 dot
// product, or f32 FMAs where that product is slow — and one for int8 weights on VNNI.
#include "bf16.h"
#include "packed.h"

#include <stdatomic.h>
#include <stdlib.h>

#if TK_HAVE_DNNL_HEADERS
// Tests switch the GEMV off to compare with oneDNN's kernel.
static atomic_int gemv_allowed = 1;

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define TK_GEMV_X86 1

enum { GEMV_ROWS = 4 };

typedef struct {
    const tk_packed *w;
    const uint32_t *xp;  // rows × (gemv_k / 2) bf16 pairs of x (hi rows, then lo rows when split),
                         // or rows × (gemv_k / 4) int8 quads of x biased to u8 (x + 128)
    const float *xscale; // int8: each row's scale
    long rows, m;        // pair rows, rows of y (rows = 2m when split, else m)
    float *y;
} gemv_job;

// One 64-column strip of y for every row: 4 × 16 columns, the rows' bf16 pairs broadcast against
// the strip's weights, GEMV_ROWS rows a pass over the strip; a split row's lo half adds into its
// hi half's sums.
__attribute__((target("avx512f,avx512bf16"))) static void gemv_strip(void *context, long strip) {
    const gemv_job *g = context;
    const long kp = g->w->gemv_k, pairs = kp / 2, n = g->w->n;
    const uint16_t *base = (const uint16_t *)g->w->data + strip * kp * 64;
    const long split = g->rows > g->m;
    for (long r0 = 0; r0 < g->m; r0 += split ? GEMV_ROWS / 2 : GEMV_ROWS) {
        const long out = (split ? GEMV_ROWS / 2 : GEMV_ROWS) < g->m - r0 ? (split ? GEMV_ROWS / 2 : GEMV_ROWS) : g->m - r0;
        const long count = split ? 2 * out : out;  // pair rows in this pass
        const uint32_t *x[GEMV_ROWS];
        for (long i = 0; i < count; i++) x[i] = g->xp + ((i < out ? r0 + i : g->m + r0 + i - out)) * pairs;
        __m512 acc[GEMV_ROWS][4];
        for (int i = 0; i < GEMV_ROWS; i++)
            for (int j = 0; j < 4; j++) acc[i][j] = _mm512_setzero_ps();
        for (long p = 0; p < pairs; p++) {
            const uint16_t *wp = base + (p / 16) * 2048 + (p % 16) * 128;
            // 4 KB ahead in the strip (its weights lie in a row): the lines arrive before they are read.
            for (int line = 0; line < 4; line++) _mm_prefetch((const char *)(wp + 2048 + 32 * line), _MM_HINT_T0);
            const __m512bh w0 = (__m512bh)_mm512_loadu_si512(wp), w1 = (__m512bh)_mm512_loadu_si512(wp + 32),
                           w2 = (__m512bh)_mm512_loadu_si512(wp + 64), w3 = (__m512bh)_mm512_loadu_si512(wp + 96);
            for (int i = 0; i < GEMV_ROWS; i++) {
                if (i >= count) break;
                const __m512bh xb = (__m512bh)_mm512_set1_epi32((int)x[i][p]);
                acc[i][0] = _mm512_dpbf16_ps(acc[i][0], xb, w0);
                acc[i][1] = _mm512_dpbf16_ps(acc[i][1], xb, w1);
                acc[i][2] = _mm512_dpbf16_ps(acc[i][2], xb, w2);
                acc[i][3] = _mm512_dpbf16_ps(acc[i][3], xb, w3);
            }
        }
        for (long i = 0; i < out; i++) {
            float *yr = g->y + (r0 + i) * n + strip * 64;
            for (int j = 0; j < 4; j++) {
                __m512 v = split ? _mm512_add_ps(acc[i][j], acc[i + out][j]) : acc[i][j];
                const long left = n - strip * 64 - j * 16;
                if (left <= 0) break;
                const __mmask16 mask = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
                _mm512_mask_storeu_ps(yr + j * 16, mask, v);
            }
        }
    }
}

// Products of few rows on CPUs whose bf16 dot product is slow (on_fma), when the GEMV above would
// need more than one pass (more than 4 rows, or 2 split): f32 FMAs on the strips, each pair of
// bf16 weights turned into two f32 vectors (a shift and a mask: exact), x in f32 — rounded to
// bf16 first in bf16 precision — so f32 needs no hi + lo split and 8 rows (a speculative check)
// cost little more than one: the strip is read from memory once, each half of its 64 columns in
// turn, 8 rows × 32 columns of sums in registers (on the Intel host, 8 rows of a 13696 × 4096
// matrix: f32 12.0 → 5.6 ms, bf16 6.7 → 5.5; one row 3.5–4.1 ms).
typedef struct {
    const tk_packed *w;
    const float *xf;  // m × gemv_k f32, zero past k
    long m;
    float *y;
} fma_gemv_job;

__attribute__((target("avx512f"))) static void gemv_strip_fma(void *context, long strip) {
    const fma_gemv_job *g = context;
    const long kp = g->w->gemv_k, pairs = kp / 2, n = g->w->n;
    const uint16_t *base = (const uint16_t *)g->w->data + strip * kp * 64;
    const __m512i high = _mm512_set1_epi32((int)0xffff0000u);
    for (long r0 = 0; r0 < g->m; r0 += GEMV_MAX_ROWS) {
        const long count = GEMV_MAX_ROWS < g->m - r0 ? GEMV_MAX_ROWS : g->m - r0;
        const float *x = g->xf + r0 * kp;
        for (int half = 0; half < 2; half++) {
            __m512 acc[GEMV_MAX_ROWS][2];
            for (int i = 0; i < GEMV_MAX_ROWS; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
            for (long p = 0; p < pairs; p++) {
                const uint16_t *wp = base + p * 128 + half * 64;
                // 4 KB ahead in the strip; the first half's sweep fetches the second half's lines too.
                _mm_prefetch((const char *)(wp + 2048), _MM_HINT_T0);
                _mm_prefetch((const char *)(wp + 2048 + 32), _MM_HINT_T0);
                if (!half) {
                    _mm_prefetch((const char *)(wp + 2048 + 64), _MM_HINT_T1);
                    _mm_prefetch((const char *)(wp + 2048 + 96), _MM_HINT_T1);
                }
                const __m512i v0 = _mm512_loadu_si512(wp), v1 = _mm512_loadu_si512(wp + 32);
                const __m512 e0 = _mm512_castsi512_ps(_mm512_slli_epi32(v0, 16));
                const __m512 o0 = _mm512_castsi512_ps(_mm512_and_si512(v0, high));
                const __m512 e1 = _mm512_castsi512_ps(_mm512_slli_epi32(v1, 16));
                const __m512 o1 = _mm512_castsi512_ps(_mm512_and_si512(v1, high));
                for (int i = 0; i < GEMV_MAX_ROWS; i++) {
                    if (i >= count) break;
                    const __m512 x0 = _mm512_set1_ps(x[i * kp + 2 * p]), x1 = _mm512_set1_ps(x[i * kp + 2 * p + 1]);
                    acc[i][0] = _mm512_fmadd_ps(x0, e0, acc[i][0]);
                    acc[i][1] = _mm512_fmadd_ps(x0, e1, acc[i][1]);
                    acc[i][0] = _mm512_fmadd_ps(x1, o0, acc[i][0]);
                    acc[i][1] = _mm512_fmadd_ps(x1, o1, acc[i][1]);
                }
            }
            for (long i = 0; i < count; i++) {
                float *yr = g->y + (r0 + i) * n + strip * 64 + half * 32;
                for (int j = 0; j < 2; j++) {
                    const long left = n - strip * 64 - half * 32 - j * 16;
                    if (left <= 0) break;
                    const __mmask16 mask = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
                    _mm512_mask_storeu_ps(yr + j * 16, mask, acc[i][j]);
                }
            }
        }
    }
}

// The same for int8 weights: the rows' u8 quads against the strip's s8 weights on vpdpbusd,
// then the compensation (−128·Σk w) takes the bias off, and the row's and column's scales apply.
__attribute__((target("avx512f,avx512vnni"))) static void gemv_strip_s8(void *context, long strip) {
    const gemv_job *g = context;
    const long kp = g->w->gemv_k, quads = kp / 4, n = g->w->n;
    const int8_t *base = (const int8_t *)g->w->data + strip * kp * 64;
    const int32_t *comp = (const int32_t *)((const char *)g->w->data + kp * g->w->gemv_n) + strip * 64;
    for (long r0 = 0; r0 < g->m; r0 += GEMV_ROWS) {
        const long count = GEMV_ROWS < g->m - r0 ? GEMV_ROWS : g->m - r0;
        __m512i acc[GEMV_ROWS][4];
        for (int i = 0; i < GEMV_ROWS; i++)
            for (int j = 0; j < 4; j++) acc[i][j] = _mm512_setzero_si512();
        for (long p = 0; p < quads; p++) {
            const int8_t *wp = base + (p / 16) * 4096 + (p % 16) * 256;
            for (int line = 0; line < 4; line++) _mm_prefetch((const char *)(wp + 4096 + 64 * line), _MM_HINT_T0);
            const __m512i w0 = _mm512_loadu_si512(wp), w1 = _mm512_loadu_si512(wp + 64), w2 = _mm512_loadu_si512(wp + 128),
                          w3 = _mm512_loadu_si512(wp + 192);
            for (int i = 0; i < GEMV_ROWS; i++) {
                if (i >= count) break;
                const __m512i xb = _mm512_set1_epi32((int)g->xp[(r0 + i) * quads + p]);
                acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], xb, w0);
                acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], xb, w1);
                acc[i][2] = _mm512_dpbusd_epi32(acc[i][2], xb, w2);
                acc[i][3] = _mm512_dpbusd_epi32(acc[i][3], xb, w3);
            }
        }
        for (long i = 0; i < count; i++) {
            float *yr = g->y + (r0 + i) * n + strip * 64;
            const __m512 xs = _mm512_set1_ps(g->xscale[r0 + i]);
            for (int j = 0; j < 4; j++) {
                const long left = n - strip * 64 - j * 16;
                if (left <= 0) break;
                const __mmask16 mask = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
                const __m512i sum = _mm512_add_epi32(acc[i][j], _mm512_loadu_si512(comp + j * 16));
                const __m512 ws = _mm512_maskz_loadu_ps(mask, g->w->scales + strip * 64 + j * 16);
                _mm512_mask_storeu_ps(yr + j * 16, mask, _mm512_mul_ps(_mm512_cvtepi32_ps(sum), _mm512_mul_ps(ws, xs)));
            }
        }
    }
}
#endif

// y = x · W for few rows on the packed int8 weights: each row quantized as linear_s8 does (per
// row, symmetric), one pass over the weights per GEMV_ROWS rows. 0 when this CPU or layout cannot.
int tk_packed_gemv_s8(const tk_packed *w, const float *x, long m, float *y) {
#if TK_GEMV_X86
    static int has = -1;
    if (has < 0) has = __builtin_cpu_supports("avx512vnni") ? 1 : 0;
    if (!has || !w->gemv_k || !atomic_load(&gemv_allowed)) return 0;
    const long quads = w->gemv_k / 4;
    uint32_t *xp = malloc((size_t)m * (size_t)quads * sizeof(uint32_t));
    float *xscale = malloc(sizeof(float) * (size_t)m);
    int8_t *row = malloc((size_t)w->k);
    if (!xp || !xscale || !row) {
        free(xp), free(xscale), free(row);
        return 0;
    }
    for (long i = 0; i < m; i++) {
        xscale[i] = tk_quantize_s8(x + i * w->k, w->k, row);
        // Past k, x is 0: the bias alone (128), which the padded zero weights cancel.
        for (long q = 0; q < quads; q++) {
            uint32_t word = 0;
            for (int b = 0; b < 4; b++) {
                const long c = 4 * q + b;
                word |= (uint32_t)(uint8_t)((c < w->k ? row[c] : 0) + 128) << (8 * b);
            }
            xp[i * quads + q] = word;
        }
    }
    free(row);
    gemv_job job = {.w = w, .xp = xp, .xscale = xscale, .rows = m, .m = m, .y = y};
    tk_parallel_for((w->n + 63) / 64, gemv_strip_s8, &job);
    free(xp), free(xscale);
    return 1;
#else
    (void)w, (void)x, (void)m, (void)y;
    return 0;
#endif
}
#endif

#if TK_HAVE_DNNL_HEADERS
// y = x · W for few rows on the packed bf16 weights, one pass over them per GEMV_ROWS rows (half
// as many when split): the weights stream from memory at its speed, which oneDNN's small-M
// kernel does not reach. 0 when this CPU or layout cannot.
int tk_packed_gemv_bf16(const tk_packed *w, const float *x, long m, float *y, int split) {
#if TK_GEMV_X86
    static int has = -1;
    if (has < 0) has = __builtin_cpu_supports("avx512bf16") ? 1 : 0;
    if (!w->gemv_k || !atomic_load(&gemv_allowed)) return 0;
    // Where bf16 dot products are slow, rows that would take the dot product's GEMV more than one
    // pass over the weights run on FMAs; one pass's worth stays (it streams the strips faster).
    const int passes = (int)(((split ? 2 * m : m) + GEMV_ROWS - 1) / GEMV_ROWS);
    if (tk_simd_level() == 2 && tk_dnnl_products_on_fma(split) && (passes > 1 || !has)) {
        const long kp = w->gemv_k;
        float *xf = aligned_alloc(64, (sizeof(float) * (size_t)(m * kp) + 63) / 64 * 64);
        if (!xf) return 0;
        for (long i = 0; i < m; i++)
            for (long c = 0; c < kp; c++) {
                const float v = c < w->k ? x[i * w->k + c] : 0;
                xf[i * kp + c] = split ? v : from_bf16(to_bf16(v));
            }
        fma_gemv_job job = {.w = w, .xf = xf, .m = m, .y = y};
        tk_parallel_for((w->n + 63) / 64, gemv_strip_fma, &job);
        free(xf);
        return 1;
    }
    if (!has) return 0;
    const long pairs = w->gemv_k / 2, rows = split ? 2 * m : m;
    uint32_t *xp = calloc((size_t)rows * (size_t)pairs, sizeof(uint32_t));
    if (!xp) return 0;
    for (long i = 0; i < m; i++)
        for (long c = 0; c < w->k; c++) {
            const uint16_t h = to_bf16(x[i * w->k + c]);
            xp[i * pairs + c / 2] |= (uint32_t)h << (16 * (c % 2));
            if (split) xp[(m + i) * pairs + c / 2] |= (uint32_t)to_bf16(x[i * w->k + c] - from_bf16(h)) << (16 * (c % 2));
        }
    gemv_job job = {.w = w, .xp = xp, .rows = rows, .m = m, .y = y};
    tk_parallel_for((w->n + 63) / 64, gemv_strip, &job);
    free(xp);
    return 1;
#else
    (void)w, (void)x, (void)m, (void)y, (void)split;
    return 0;
#endif
}
#endif

int tk_dnnl_gemv_layout(const tk_packed *w) {
#if TK_HAVE_DNNL_HEADERS
    return w && w->gemv_k > 0;
#else
    (void)w;
    return 0;
#endif
}

void tk_dnnl_allow_gemv(int allowed) {
#if TK_HAVE_DNNL_HEADERS
    atomic_store(&gemv_allowed, allowed != 0);
#else
    (void)allowed;
#endif
}
