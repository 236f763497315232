// The engine's row-wise work around the products: RMSNorm, LayerNorm, SwiGLU, GELU, residual
// adds, biases, both rotary embeddings, the vision tower's 2×2 merge gather and its resampled
// position embedding. Rows are shared out over the compute pool; within a row the arithmetic is
// written once on 16-float vectors, compiled three times (AVX-512, AVX2 + FMA, portable) and
// chosen at run time by tk_simd_level().
#include "CKernels.h"

#include <math.h>
#include <string.h>

// The 16-float vector helpers are always inlined into each instruction set's copy, so no vector
// crosses a call: clang's note that passing one without AVX-512 changes the ABI does not apply.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float vf16 __attribute__((vector_size(64), aligned(4)));
typedef int32_t vi16 __attribute__((vector_size(64), aligned(4)));
#define INLINE static inline __attribute__((always_inline))
enum { LANES = 16 };

INLINE vf16 load16(const float *p) {
    vf16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

INLINE void store16(float *p, vf16 v) { memcpy(p, &v, sizeof v); }

INLINE vf16 splat(float x) { return (vf16){0} + x; }

INLINE float sum16(vf16 v) {
    float lanes[LANES];
    memcpy(lanes, &v, sizeof lanes);
    float s = 0;
    for (int i = 0; i < LANES; i++) s += lanes[i];
    return s;
}

// exp(x) as 2^n · 2^f with the degree-6 polynomial of attention.c (relative error under 2e-7),
// x clamped to [−87, 88] so the result is a normal float; n rounded to nearest by the 1.5·2^23
// trick, which needs no rounding instruction.
INLINE vf16 exp16(vf16 x) {
    const vf16 lo = splat(-87.0f), hi = splat(88.0f);
    vi16 below = x < lo, above = x > hi;
    x = (vf16)(((vi16)x & ~below) | ((vi16)lo & below));
    x = (vf16)(((vi16)x & ~above) | ((vi16)hi & above));
    const vf16 t = x * 1.44269504088896341f;
    const vf16 n = (t + 12582912.0f) - 12582912.0f;
    const vf16 f = t - n;
    vf16 p = splat(1.5353362e-4f) * f + 1.3398874e-3f;
    p = p * f + 9.6180277e-3f;
    p = p * f + 5.5503406e-2f;
    p = p * f + 2.4022650e-1f;
    p = p * f + 6.9314718e-1f;
    p = p * f + 1.0f;
    const vi16 bits = (__builtin_convertvector(n, vi16) + 127) << 23;
    return p * (vf16)bits;
}

INLINE float exp1(float x) {
    float lanes[LANES] = {x};
    vf16 v;
    memcpy(&v, lanes, sizeof v);
    v = exp16(v);
    memcpy(lanes, &v, sizeof lanes);
    return lanes[0];
}

typedef struct ew_job ew_job;
typedef void (*rows_fn)(const ew_job *j, long r0, long r1);
struct ew_job {
    rows_fn fn;
    const float *x, *w, *b, *cos, *sin, *up;
    float *y;
    const int32_t *index;
    long rows, d, stride, up_stride, chunk;
    int heads, hd, pairs, taps;
    float eps;
};

// ---- the rows of each kernel, written once ----------------------------------------------------

// Σ (x[c] − center)² over a row of d floats.
INLINE float centered_squares(const float *x, long d, float center) {
    vf16 acc = splat(0);
    long c = 0;
    for (; c + LANES <= d; c += LANES) {
        const vf16 t = load16(x + c) - center;
        acc += t * t;
    }
    float sum = sum16(acc);
    for (; c < d; c++) sum += (x[c] - center) * (x[c] - center);
    return sum;
}

INLINE void rms_norm_body(const ew_job *j, long r0, long r1) {
    const long d = j->d;
    for (long r = r0; r < r1; r++) {
        const float *x = j->x + r * d;
        float *y = j->y + r * d;
        const float inv = 1 / sqrtf(centered_squares(x, d, 0) / (float)d + j->eps);
        long c = 0;
        for (; c + LANES <= d; c += LANES) store16(y + c, load16(j->w + c) * (load16(x + c) * inv));
        for (; c < d; c++) y[c] = j->w[c] * (x[c] * inv);
    }
}

INLINE void layer_norm_body(const ew_job *j, long r0, long r1) {
    const long d = j->d;
    for (long r = r0; r < r1; r++) {
        const float *x = j->x + r * d;
        float *y = j->y + r * d;
        vf16 acc = splat(0);
        long c = 0;
        for (; c + LANES <= d; c += LANES) acc += load16(x + c);
        float mean = sum16(acc);
        for (; c < d; c++) mean += x[c];
        mean /= (float)d;
        const float inv = 1 / sqrtf(centered_squares(x, d, mean) / (float)d + j->eps);
        c = 0;
        for (; c + LANES <= d; c += LANES)
            store16(y + c, (load16(x + c) - mean) * inv * load16(j->w + c) + load16(j->b + c));
        for (; c < d; c++) y[c] = (x[c] - mean) * inv * j->w[c] + j->b[c];
    }
}

// out = up · silu(gate), silu(g) = g / (1 + e^−g).
INLINE void silu_mul_body(const ew_job *j, long r0, long r1) {
    const long d = j->d;
    for (long r = r0; r < r1; r++) {
        const float *g = j->x + r * j->stride, *u = j->up + r * j->up_stride;
        float *y = j->y + r * d;
        long c = 0;
        for (; c + LANES <= d; c += LANES) {
            const vf16 v = load16(g + c);
            store16(y + c, load16(u + c) * (v / (1.0f + exp16(-v))));
        }
        for (; c < d; c++) y[c] = u[c] * (g[c] / (1.0f + exp1(-g[c])));
    }
}

INLINE void add_body(const ew_job *j, long r0, long r1) {
    const long d = j->d;
    for (long r = r0; r < r1; r++) {
        float *y = j->y + r * d;
        const float *x = j->x ? j->x + r * d : j->b;  // a matrix, or one bias row for every row
        long c = 0;
        for (; c + LANES <= d; c += LANES) store16(y + c, load16(y + c) + load16(x + c));
        for (; c < d; c++) y[c] += x[c];
    }
}

// Rotate-half (NeoX) over each head's whole width.
INLINE void rope_half_body(const ew_job *j, long r0, long r1) {
    const int half = j->hd / 2;
    for (long r = r0; r < r1; r++) {
        const float *cs = j->cos + r * half, *sn = j->sin + r * half;
        for (int h = 0; h < j->heads; h++) {
            float *x = j->y + r * j->stride + (long)h * j->hd;
            int c = 0;
            for (; c + LANES <= half; c += LANES) {
                const vf16 a = load16(x + c), b = load16(x + c + half), co = load16(cs + c), si = load16(sn + c);
                store16(x + c, a * co - b * si);
                store16(x + c + half, b * co + a * si);
            }
            for (; c < half; c++) {
                const float a = x[c], b = x[c + half];
                x[c] = a * cs[c] - b * sn[c];
                x[c + half] = b * cs[c] + a * sn[c];
            }
        }
    }
}

// Interleaved pairs (x[2c], x[2c+1]) on the first 2·pairs dims of each head (GLM's decoder).
INLINE void rope_pairs_body(const ew_job *j, long r0, long r1) {
    for (long r = r0; r < r1; r++) {
        const float *cs = j->cos + r * j->pairs, *sn = j->sin + r * j->pairs;
        for (int h = 0; h < j->heads; h++) {
            float *x = j->y + r * j->stride + (long)h * j->hd;
            for (int c = 0; c < j->pairs; c++) {
                const float a = x[2 * c], b = x[2 * c + 1];
                x[2 * c] = a * cs[c] - b * sn[c];
                x[2 * c + 1] = b * cs[c] + a * sn[c];
            }
        }
    }
}

// out[t·d·m + c·m + q] = x[(t·m + q)·d + c]: the m patches of a merged token, channel-major.
INLINE void merge_gather_body(const ew_job *j, long r0, long r1) {
    const long d = j->d, m = j->stride;
    for (long t = r0; t < r1; t++)
        for (long q = 0; q < m; q++) {
            const float *x = j->x + (t * m + q) * d;
            float *y = j->y + t * d * m + q;
            for (long c = 0; c < d; c++) y[c * m] = x[c];
        }
}

// y row r += Σ weight[r·taps + t] · table row index[r·taps + t].
INLINE void weighted_rows_body(const ew_job *j, long r0, long r1) {
    const long d = j->d;
    for (long r = r0; r < r1; r++) {
        float *y = j->y + r * d;
        for (int t = 0; t < j->taps; t++) {
            const float w = j->w[r * j->taps + t];
            const float *row = j->x + (long)j->index[r * j->taps + t] * d;
            long c = 0;
            for (; c + LANES <= d; c += LANES) store16(y + c, load16(y + c) + load16(row + c) * w);
            for (; c < d; c++) y[c] += w * row[c];
        }
    }
}

static void gelu_erf_rows(const ew_job *j, long r0, long r1) {
    for (long r = r0; r < r1; r++) {
        float *y = j->y + r * j->d;
        for (long c = 0; c < j->d; c++) y[c] = 0.5f * y[c] * (1 + erff(y[c] * 0.7071067811865476f));
    }
}

// ---- each body for the three instruction sets, and the run-time choice ------------------------

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define VARIANTS(name)                                                                                     \
    __attribute__((target("avx512f"))) static void name##_avx512(const ew_job *j, long r0, long r1) {     \
        name##_body(j, r0, r1);                                                                           \
    }                                                                                                     \
    __attribute__((target("avx2,fma"))) static void name##_avx2(const ew_job *j, long r0, long r1) {      \
        name##_body(j, r0, r1);                                                                           \
    }                                                                                                     \
    static void name##_portable(const ew_job *j, long r0, long r1) { name##_body(j, r0, r1); }            \
    static rows_fn name##_rows(void) {                                                                    \
        const int level = tk_simd_level();                                                                \
        return level == 2 ? name##_avx512 : (level == 1 ? name##_avx2 : name##_portable);                  \
    }
#else
#define VARIANTS(name)                                                                                     \
    static void name##_portable(const ew_job *j, long r0, long r1) { name##_body(j, r0, r1); }            \
    static rows_fn name##_rows(void) { return name##_portable; }
#endif

VARIANTS(rms_norm)
VARIANTS(layer_norm)
VARIANTS(silu_mul)
VARIANTS(add)
VARIANTS(rope_half)
VARIANTS(rope_pairs)
VARIANTS(merge_gather)
VARIANTS(weighted_rows)

static void rows_task(void *context, long index) {
    const ew_job *j = context;
    const long r0 = index * j->chunk, r1 = r0 + j->chunk < j->rows ? r0 + j->chunk : j->rows;
    j->fn(j, r0, r1);
}

/// Runs `job.fn` over `job.rows` rows of about `row_floats` floats each: inline when small, else
/// in chunks of at least 16 K floats, a few per pool thread so uneven cores even out.
static void run_rows(ew_job job, long row_floats) {
    if (job.rows <= 0) return;
    const long threads = tk_pool_threads(), total = job.rows * (row_floats > 0 ? row_floats : 1);
    if (threads == 1 || total < (1L << 15)) {
        job.fn(&job, 0, job.rows);
        return;
    }
    long chunk = (job.rows + threads * 4 - 1) / (threads * 4);
    const long least = ((1L << 14) + row_floats - 1) / (row_floats > 0 ? row_floats : 1);
    if (chunk < least) chunk = least;
    job.chunk = chunk;
    tk_parallel_for((job.rows + chunk - 1) / chunk, rows_task, &job);
}

void tk_rms_norm(const float *x, float *y, long rows, long d, const float *w, float eps) {
    run_rows((ew_job){.fn = rms_norm_rows(), .x = x, .y = y, .w = w, .rows = rows, .d = d, .eps = eps}, d);
}

void tk_layer_norm(const float *x, float *y, long rows, long d, const float *w, const float *b, float eps) {
    run_rows((ew_job){.fn = layer_norm_rows(), .x = x, .y = y, .w = w, .b = b, .rows = rows, .d = d, .eps = eps}, d);
}

void tk_silu_mul(const float *gate, long gate_stride, const float *up, long up_stride, float *out, long rows,
                 long width) {
    run_rows((ew_job){.fn = silu_mul_rows(), .x = gate, .stride = gate_stride, .up = up, .up_stride = up_stride,
                      .y = out, .rows = rows, .d = width},
             width * 4);
}

void tk_gelu_erf(float *x, long rows, long width) {
    run_rows((ew_job){.fn = gelu_erf_rows, .y = x, .rows = rows, .d = width}, width * 4);
}

void tk_add(float *a, const float *b, long rows, long width) {
    run_rows((ew_job){.fn = add_rows(), .y = a, .x = b, .rows = rows, .d = width}, width);
}

void tk_add_bias(float *y, long rows, long width, const float *bias) {
    run_rows((ew_job){.fn = add_rows(), .y = y, .b = bias, .rows = rows, .d = width}, width);
}

void tk_rope_half(float *x, long rows, long stride, int heads, int head_dim, const float *cos, const float *sin) {
    run_rows((ew_job){.fn = rope_half_rows(), .y = x, .rows = rows, .stride = stride, .heads = heads, .hd = head_dim,
                      .cos = cos, .sin = sin},
             (long)heads * head_dim);
}

void tk_rope_pairs(float *x, long rows, long stride, int heads, int head_dim, int pairs, const float *cos,
                   const float *sin) {
    run_rows((ew_job){.fn = rope_pairs_rows(), .y = x, .rows = rows, .stride = stride, .heads = heads,
                      .hd = head_dim, .pairs = pairs, .cos = cos, .sin = sin},
             (long)heads * pairs * 2);
}

void tk_merge_gather(const float *x, long tokens, long merge, long d, float *out) {
    run_rows((ew_job){.fn = merge_gather_rows(), .x = x, .y = out, .rows = tokens, .stride = merge, .d = d},
             merge * d);
}

void tk_add_weighted_rows(float *y, long rows, long d, const float *table, const int32_t *index, const float *weight,
                          int taps) {
    run_rows((ew_job){.fn = weighted_rows_rows(), .y = y, .x = table, .index = index, .w = weight, .rows = rows,
                      .d = d, .taps = taps},
             d * taps);
}
