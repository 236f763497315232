// Scaled dot-product attention, tiled with an online softmax: no row of scores longer than one
// key tile exists at any time, so a full-screen vision tower (13,416 patches) needs no N × N
// matrix. Work items are (head, block of query rows), spread over the compute pool. Three sets of
// products on the tiles: f32 FMAs on AVX-512 (f32, and bf16 where the bf16 dot product is slow),
// the bf16 / int8 / fp16 dot products (bf16, int8 scores), and single-threaded OpenBLAS calls
// (f32 without AVX-512, and few queries); a vectorised exp for all.
#include "CKernels.h"
#include "bf16.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { QUERY_ROWS = 64, KEY_TILE = 512, STEP_ROWS = 8 /* bf16 kernel's register block; divides QUERY_ROWS */ };
enum { FMA_BF16 = 1, FMA_F32 = 2, VALUE_KEYS = 64 };

// exp(x) for x ≤ 0 (scores minus their running maximum): 2^n · 2^f with a degree-6 polynomial
// for 2^f, f in [-0.5, 0.5]; relative error under 2e-7. Written so the compiler vectorises it.
static inline float exp_nonpositive(float x) {
    if (x < -87.0f) return 0.0f;
    float t = x * 1.44269504088896341f;
    float n = __builtin_roundf(t);
    float f = t - n;
    float p = 1.5353362e-4f;
    p = p * f + 1.3398874e-3f;
    p = p * f + 9.6180277e-3f;
    p = p * f + 5.5503406e-2f;
    p = p * f + 2.4022650e-1f;
    p = p * f + 6.9314718e-1f;
    p = p * f + 1.0f;
    union { uint32_t u; float f; } scale = {.u = (uint32_t)((int32_t)n + 127) << 23};
    return p * scale.f;
}

static float exp_row_portable(float *row, long n, float max) {
    float sum = 0;
    for (long j = 0; j < n; j++) {
        float e = exp_nonpositive(row[j] - max);
        row[j] = e;
        sum += e;
    }
    return sum;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define TK_X86 1

// The same polynomial as exp_nonpositive, 16 (8) lanes at a time; inputs clamped at −87.
#define EXP_LANES(V, set1, sub, max_, mul, round, fmadd, cvt, add32, sll, cast)                              \
    V t = mul(max_(sub(x, vmax), set1(-87.0f)), set1(1.44269504088896341f));                                 \
    V nn = round;                                                                                            \
    V f = sub(t, nn);                                                                                        \
    V p = fmadd(set1(1.5353362e-4f), f, set1(1.3398874e-3f));                                                \
    p = fmadd(p, f, set1(9.6180277e-3f));                                                                    \
    p = fmadd(p, f, set1(5.5503406e-2f));                                                                    \
    p = fmadd(p, f, set1(2.4022650e-1f));                                                                    \
    p = fmadd(p, f, set1(6.9314718e-1f));                                                                    \
    p = fmadd(p, f, set1(1.0f));                                                                             \
    V e = mul(p, cast(sll(add32(cvt(nn), 127), 23)));

__attribute__((target("avx512f"))) static float exp_row_avx512(float *row, long n, float max) {
    const __m512 vmax = _mm512_set1_ps(max);
    __m512 acc = _mm512_setzero_ps();
    long j = 0;
    for (; j + 16 <= n; j += 16) {
        __m512 x = _mm512_loadu_ps(row + j);
#define ADD32_512(a, b) _mm512_add_epi32(a, _mm512_set1_epi32(b))
        EXP_LANES(__m512, _mm512_set1_ps, _mm512_sub_ps, _mm512_max_ps, _mm512_mul_ps,
                  _mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), _mm512_fmadd_ps,
                  _mm512_cvtps_epi32, ADD32_512, _mm512_slli_epi32, _mm512_castsi512_ps)
        _mm512_storeu_ps(row + j, e);
        acc = _mm512_add_ps(acc, e);
    }
    return _mm512_reduce_add_ps(acc) + exp_row_portable(row + j, n - j, max);
}

__attribute__((target("avx2,fma"))) static float exp_row_avx2(float *row, long n, float max) {
    const __m256 vmax = _mm256_set1_ps(max);
    __m256 acc = _mm256_setzero_ps();
    long j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 x = _mm256_loadu_ps(row + j);
#define ADD32_256(a, b) _mm256_add_epi32(a, _mm256_set1_epi32(b))
        EXP_LANES(__m256, _mm256_set1_ps, _mm256_sub_ps, _mm256_max_ps, _mm256_mul_ps,
                  _mm256_round_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), _mm256_fmadd_ps,
                  _mm256_cvtps_epi32, ADD32_256, _mm256_slli_epi32, _mm256_castsi256_ps)
        _mm256_storeu_ps(row + j, e);
        acc = _mm256_add_ps(acc, e);
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, acc);
    float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    return sum + exp_row_portable(row + j, n - j, max);
}
#endif

/// row[j] = exp(row[j] − max) for j < n; returns their sum.
static float exp_row(float *row, long n, float max) {
#if TK_X86
    const int level = tk_simd_level();
    if (level == 2) return exp_row_avx512(row, n, max);
    if (level == 1) return exp_row_avx2(row, n, max);
#endif
    return exp_row_portable(row, n, max);
}

#if TK_X86
// One row of a key tile's scores through the online softmax: the row's new maximum over its
// `visible` keys, exp(score − max) in place (zeros from there to cols32), the running sum and the
// row's accumulator rescaled by exp(old max − new max).
__attribute__((target("avx512f"))) static void softmax_row(float *row, long visible, long cols32, float *mx,
                                                          float *sum, float *acc, int hd) {
    __m512 vm = _mm512_set1_ps(*mx);
    long j = 0;
    for (; j + 16 <= visible; j += 16) vm = _mm512_max_ps(vm, _mm512_loadu_ps(row + j));
    if (j < visible) {
        const __mmask16 tail = (__mmask16)((1u << (visible - j)) - 1);
        vm = _mm512_mask_max_ps(vm, tail, vm, _mm512_maskz_loadu_ps(tail, row + j));
    }
    const float m = _mm512_reduce_max_ps(vm);
    const float correction = *mx == -INFINITY ? 0 : exp_nonpositive(*mx - m);
    *sum = *sum * correction + exp_row(row, visible, m);
    for (j = visible; j < cols32; j++) row[j] = 0;
    *mx = m;
    if (correction != 1)
        for (int d = 0; d < hd; d++) acc[d] *= correction;
}
#endif

typedef struct {
    const float *q, *k, *v;
    float *out;
    long mq, mk, q_stride, kv_stride, out_stride, offset, blocks;
    int heads, kv_heads, hd, causal;
    float scale;
    atomic_int failed;  // a task could not get its scratch
} attention_job;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static void make_key(void) { pthread_key_create(&scratch_key, free); }

// Per-thread scratch (scores tile, accumulator, row maxima and sums), freed when the thread ends.
static float *scratch(long floats) {
    pthread_once(&scratch_once, make_key);
    long *block = pthread_getspecific(scratch_key);
    if (block && block[0] >= floats) return (float *)(block + 2);
    free(block);
    pthread_setspecific(scratch_key, NULL);  // never left pointing at freed memory
    block = aligned_alloc(64, ((size_t)floats * sizeof(float) + 2 * sizeof(long) + 63) / 64 * 64);
    if (!block) return NULL;
    block[0] = floats;
    pthread_setspecific(scratch_key, block);
    return (float *)(block + 2);
}

static void attention_task(void *context, long index) {
    const attention_job *a = context;
    const long h = index / a->blocks, i0 = (index % a->blocks) * QUERY_ROWS;
    const long rows = a->mq - i0 < QUERY_ROWS ? a->mq - i0 : QUERY_ROWS;
    const int hd = a->hd, kvh = h / (a->heads / a->kv_heads);
    float *s = scratch((long)QUERY_ROWS * KEY_TILE + (long)QUERY_ROWS * hd + 2 * QUERY_ROWS);
    if (!s) {
        atomic_store(&((attention_job *)context)->failed, 1);
        return;
    }
    float *acc = s + (long)QUERY_ROWS * KEY_TILE, *mx = acc + (long)QUERY_ROWS * hd, *sum = mx + QUERY_ROWS;
    for (long r = 0; r < rows; r++) mx[r] = -INFINITY, sum[r] = 0;
    memset(acc, 0, sizeof(float) * (size_t)rows * (size_t)hd);
    const float *q = a->q + i0 * a->q_stride + (long)h * hd;
    // Keys the last row of the block may see.
    long limit = a->causal ? i0 + rows + a->offset : a->mk;
    if (limit > a->mk) limit = a->mk;
    for (long j0 = 0; j0 < limit; j0 += KEY_TILE) {
        const long cols = limit - j0 < KEY_TILE ? limit - j0 : KEY_TILE;
        const float *k = a->k + j0 * a->kv_stride + (long)kvh * hd, *v = a->v + j0 * a->kv_stride + (long)kvh * hd;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)cols, hd, a->scale, q, (int)a->q_stride, k,
                    (int)a->kv_stride, 0, s, KEY_TILE);
        for (long r = 0; r < rows; r++) {
            float *row = s + r * KEY_TILE;
            long visible = a->causal ? i0 + r + a->offset + 1 - j0 : cols;
            if (visible > cols) visible = cols;
            if (visible <= 0) {
                memset(row, 0, sizeof(float) * (size_t)cols);
                continue;
            }
            float m = mx[r];
            for (long j = 0; j < visible; j++) m = row[j] > m ? row[j] : m;
            const float correction = mx[r] == -INFINITY ? 0 : exp_nonpositive(mx[r] - m);
            sum[r] = sum[r] * correction + exp_row(row, visible, m);
            for (long j = visible; j < cols; j++) row[j] = 0;
            mx[r] = m;
            if (correction != 1) {
                float *o = acc + r * hd;
                for (int d = 0; d < hd; d++) o[d] *= correction;
            }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, hd, (int)cols, 1, s, KEY_TILE, v,
                    (int)a->kv_stride, 1, acc, hd);
    }
    float *out = a->out + i0 * a->out_stride + (long)h * hd;
    for (long r = 0; r < rows; r++) {
        const float inv = sum[r] > 0 ? 1 / sum[r] : 0;
        for (int d = 0; d < hd; d++) out[r * a->out_stride + d] = acc[r * hd + d] * inv;
    }
}

static int attention_on_fma(const float *q, long mq, long q_stride, const float *k, const float *v, long mk,
                            long kv_stride, int heads, int kv_heads, int head_dim, int causal, long causal_offset,
                            float *out, long out_stride, int mode);

int tk_attention(const float *q, long mq, long q_stride, const float *k, const float *v, long mk, long kv_stride,
                 int heads, int kv_heads, int head_dim, int causal, long causal_offset, float *out,
                 long out_stride) {
    if (mq <= 0 || heads <= 0 || kv_heads <= 0 || heads % kv_heads != 0) return 0;
    // Many queries on AVX-512: the FMA kernels below (their keys are packed first, worth it only
    // for more than a few queries).
    if (mq > 8) {
        const int done = attention_on_fma(q, mq, q_stride, k, v, mk, kv_stride, heads, kv_heads, head_dim, causal,
                                          causal_offset, out, out_stride, FMA_F32);
        if (done) return done < 0 ? -1 : 0;
    }
    attention_job job = {
        .q = q, .k = k, .v = v, .out = out, .mq = mq, .mk = mk, .q_stride = q_stride, .kv_stride = kv_stride,
        .out_stride = out_stride, .offset = causal_offset, .blocks = (mq + QUERY_ROWS - 1) / QUERY_ROWS,
        .heads = heads, .kv_heads = kv_heads, .hd = head_dim, .causal = causal,
        .scale = 1 / sqrtf((float)head_dim),
    };
    tk_parallel_for(job.blocks * heads, attention_task, &job);
    return atomic_load(&job.failed) ? -1 : 0;
}

// ---------------------------------------------------------------------------------------------
// bf16 attention (--precision bf16): q, k, v rounded to bf16 and both products on the CPU's
// AVX-512 BF16 dot product (vdpbf16ps: 16 lanes, each adding two bf16 products into f32), the
// online softmax in f32 as above, the weights P rounded to bf16 for P·V — as torch computes in
// bf16. Keys and values are first packed per KV head in the pairs the instruction reads:
//   K: [key / 16][dim pair][16 keys][2]     one 64-byte vector per 16 keys and 2 dims
//   V: [key pair][dim / 16][16 dims][2]     one vector per 2 keys and 16 dims
// Head sizes must be multiples of 32; other shapes, and CPUs without the instruction, take the
// f32 kernel (tk_attention_bf16 returns 0). Where the bf16 dot product is slow against the f32
// FMA, bf16 attention (not int8 scores) runs the FMA kernels further down on the same packing.


typedef struct {
    const float *q, *k, *v;
    float *out;
    uint16_t *kp, *vp;  // packed keys (bf16 scores) and values of every KV head
    // int8 scores: keys less their mean, int8 per key, packed in the quads vpdpbusd reads, with
    // each key's scale and 128 × the sum of its int8 values ([KV head][padded key]).
    int8_t *kq;
    float *kscale;
    int32_t *ksum128;
    // fp16 values (with int8 scores, on AVX512-FP16): each KV head's values in fp16 ([key][dim]),
    // scaled by 1 / vscale[head] so its largest |value| is 256.
    uint16_t *vh;
    float *vscale;
    // The FMA kernels' keys ([KV head][key / 16][dim][16 keys]) and values ([KV head][key][dim]).
    float *kf, *vf;
    long mq, mk, q_stride, kv_stride, out_stride, offset, blocks, padded;
    int heads, kv_heads, hd, causal, int8_scores, fp16_values;
    int fma;  // 0: this section's kernels; FMA_BF16 or FMA_F32: the FMA kernels below
    float scale;
    atomic_int failed;
} bf16_job;

// Packs one KV head's int8 keys: the mean key is taken off first (q·mean is the same for every
// key of a query, so the softmax does not change, and the rest quantizes with less error), then
// each key is scaled to ±127 by its own largest |value|.
static void pack_int8_keys(const bf16_job *a, long kvh) {
    const int hd = a->hd, quads = hd / 4;
    int8_t *kq = a->kq + kvh * a->padded * hd;
    float *kscale = a->kscale + kvh * a->padded;
    int32_t *ksum = a->ksum128 + kvh * a->padded;
    double mean[hd];
    for (int d = 0; d < hd; d++) mean[d] = 0;
    for (long j = 0; j < a->mk; j++)
        for (int d = 0; d < hd; d++) mean[d] += a->k[j * a->kv_stride + kvh * hd + d];
    float centered[hd];
    for (long j = 0; j < a->padded; j++) {
        const float *k = a->k + j * a->kv_stride + kvh * hd;
        float top = 0;
        for (int d = 0; d < hd; d++) {
            centered[d] = j < a->mk ? (float)(k[d] - mean[d] / (double)a->mk) : 0;
            top = fabsf(centered[d]) > top ? fabsf(centered[d]) : top;
        }
        const float scale = top > 0 ? top / 127 : 1, inv = 1 / scale;
        int32_t total = 0;
        for (int d = 0; d < hd; d++) {
            const int8_t value = (int8_t)lrintf(centered[d] * inv);
            kq[((j / 16) * quads + d / 4) * 64 + (j % 16) * 4 + d % 4] = value;
            total += value;
        }
        kscale[j] = j < a->mk ? scale : 0;
        ksum[j] = 128 * total;
    }
}

// Packs one KV head's values in fp16, scaled so the largest |value| is 256: a sum of 64 weights
// (each ≤ 1) times values stays far inside fp16's range (65 504).
static void pack_fp16_values(const bf16_job *a, long kvh) {
    const int hd = a->hd;
    float top = 0;
    for (long j = 0; j < a->mk; j++)
        for (int d = 0; d < hd; d++) {
            const float value = fabsf(a->v[j * a->kv_stride + kvh * hd + d]);
            top = value > top ? value : top;
        }
    const float scale = top > 0 ? top / 256 : 1, inv = 1 / scale;
    a->vscale[kvh] = scale;
    _Float16 *vh = (_Float16 *)(a->vh + kvh * a->padded * hd);
    for (long j = 0; j < a->padded; j++)
        for (int d = 0; d < hd; d++) vh[j * hd + d] = (_Float16)(j < a->mk ? a->v[j * a->kv_stride + kvh * hd + d] * inv : 0);
}

// Packs one KV head's keys and values (task index = KV head).
static void pack_task(void *context, long kvh) {
    const bf16_job *a = context;
    const int hd = a->hd, pairs = hd / 2;
    uint16_t *kp = a->kp ? a->kp + kvh * a->padded * hd : NULL, *vp = a->vp ? a->vp + kvh * a->padded * hd : NULL;
    if (a->int8_scores) pack_int8_keys(a, kvh);
    if (a->fp16_values) {
        pack_fp16_values(a, kvh);
        if (!kp) return;
    }
    for (long j = 0; j < a->padded; j++) {
        const float *k = a->k + j * a->kv_stride + kvh * hd, *v = a->v + j * a->kv_stride + kvh * hd;
        const int real = j < a->mk;
        for (int p = 0; !a->int8_scores && p < pairs; p++) {
            uint16_t *dst = kp + ((j / 16) * pairs + p) * 32 + (j % 16) * 2;
            dst[0] = real ? to_bf16(k[2 * p]) : 0;
            dst[1] = real ? to_bf16(k[2 * p + 1]) : 0;
        }
        for (int d = 0; vp && d < hd; d++) vp[((j / 2) * (hd / 16) + d / 16) * 32 + (d % 16) * 2 + (j % 2)] = real ? to_bf16(v[d]) : 0;
    }
}

#if TK_X86
// S = Q·Kᵀ for one key tile in bf16: STEP_ROWS rows × 32 keys a step, 2·STEP_ROWS accumulators.
__attribute__((target("avx512f,avx512bf16"), noinline)) static void scores_bf16(const uint32_t *qw, int pairs,
                                                                                long rows_padded, const uint16_t *kp,
                                                                                long j0, long cols32, float *s) {
    for (long r0 = 0; r0 < rows_padded; r0 += STEP_ROWS) {
        for (long c0 = 0; c0 < cols32; c0 += 32) {
            __m512 c[STEP_ROWS][2];
            for (int r = 0; r < STEP_ROWS; r++) c[r][0] = c[r][1] = _mm512_setzero_ps();
            const uint16_t *k0 = kp + ((j0 + c0) / 16) * pairs * 32, *k1 = k0 + pairs * 32;
            for (int p = 0; p < pairs; p++) {
                __m512bh b0 = (__m512bh)_mm512_loadu_si512(k0 + p * 32), b1 = (__m512bh)_mm512_loadu_si512(k1 + p * 32);
                for (int r = 0; r < STEP_ROWS; r++) {
                    __m512bh q = (__m512bh)_mm512_set1_epi32((int)qw[(r0 + r) * pairs + p]);
                    c[r][0] = _mm512_dpbf16_ps(c[r][0], q, b0);
                    c[r][1] = _mm512_dpbf16_ps(c[r][1], q, b1);
                }
            }
            for (int r = 0; r < STEP_ROWS; r++) {
                _mm512_storeu_ps(s + (r0 + r) * KEY_TILE + c0, c[r][0]);
                _mm512_storeu_ps(s + (r0 + r) * KEY_TILE + c0 + 16, c[r][1]);
            }
        }
    }
}

// S = Q·Kᵀ for one key tile from int8 queries and keys on VNNI (vpdpbusd: 16 lanes, each adding
// four u8 × s8 products into i32). Queries arrive as u8 = q + 128, so a lane holds q·k + 128·Σk,
// and 128·Σk (ksum128) is taken off before the queries' and keys' scales are applied.
__attribute__((target("avx512f,avx512vnni"), noinline)) static void scores_int8(
    const uint32_t *qb, const float *qscale, int quads, long rows_padded, const int8_t *kq, const float *kscale,
    const int32_t *ksum128, long j0, long cols32, float *s) {
    for (long r0 = 0; r0 < rows_padded; r0 += STEP_ROWS) {
        for (long c0 = 0; c0 < cols32; c0 += 32) {
            __m512i c[STEP_ROWS][2];
            for (int r = 0; r < STEP_ROWS; r++) c[r][0] = c[r][1] = _mm512_setzero_si512();
            const int8_t *k0 = kq + ((j0 + c0) / 16) * quads * 64, *k1 = k0 + quads * 64;
            for (int p = 0; p < quads; p++) {
                __m512i b0 = _mm512_loadu_si512(k0 + p * 64), b1 = _mm512_loadu_si512(k1 + p * 64);
                for (int r = 0; r < STEP_ROWS; r++) {
                    __m512i q = _mm512_set1_epi32((int)qb[(r0 + r) * quads + p]);
                    c[r][0] = _mm512_dpbusd_epi32(c[r][0], q, b0);
                    c[r][1] = _mm512_dpbusd_epi32(c[r][1], q, b1);
                }
            }
            const __m512i sum0 = _mm512_loadu_si512(ksum128 + j0 + c0), sum1 = _mm512_loadu_si512(ksum128 + j0 + c0 + 16);
            const __m512 ks0 = _mm512_loadu_ps(kscale + j0 + c0), ks1 = _mm512_loadu_ps(kscale + j0 + c0 + 16);
            for (int r = 0; r < STEP_ROWS; r++) {
                const __m512 qs = _mm512_set1_ps(qscale[r0 + r]);
                _mm512_storeu_ps(s + (r0 + r) * KEY_TILE + c0,
                                 _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(c[r][0], sum0)), _mm512_mul_ps(ks0, qs)));
                _mm512_storeu_ps(s + (r0 + r) * KEY_TILE + c0 + 16,
                                 _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(c[r][1], sum1)), _mm512_mul_ps(ks1, qs)));
            }
        }
    }
}

// acc += P·V for one key tile in fp16 (AVX512-FP16: 32 lanes an FMA, the weight broadcast from
// memory into the instruction): 4 rows × 128 dims in 16 fp16 accumulators, added into the f32
// accumulator (times the values' scale) every 64 keys, so no fp16 sum runs over more than 64
// terms. P is fp16 ([row][KEY_TILE]); head sizes are multiples of 128.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512fp16"), noinline)) static void values_fp16(
    const uint16_t *pw, long rows_padded, const uint16_t *vh, long j0, long cols32, int hd, float vscale, float *acc) {
    const _Float16 *p = (const _Float16 *)pw;
    const __m512 scale = _mm512_set1_ps(vscale);
    for (long r0 = 0; r0 < rows_padded; r0 += 4) {
        for (int d0 = 0; d0 < hd; d0 += 128) {
            for (long c0 = 0; c0 < cols32; c0 += 64) {
                const long end = c0 + 64 < cols32 ? c0 + 64 : cols32;
                __m512h c[4][4];
                for (int r = 0; r < 4; r++)
                    for (int i = 0; i < 4; i++) c[r][i] = _mm512_setzero_ph();
                for (long j = c0; j < end; j++) {
                    const _Float16 *v = (const _Float16 *)vh + (j0 + j) * hd + d0;
                    const __m512h v0 = _mm512_loadu_ph(v), v1 = _mm512_loadu_ph(v + 32), v2 = _mm512_loadu_ph(v + 64),
                                  v3 = _mm512_loadu_ph(v + 96);
                    for (int r = 0; r < 4; r++) {
                        const __m512h w = _mm512_set1_ph(p[(r0 + r) * KEY_TILE + j]);
                        c[r][0] = _mm512_fmadd_ph(w, v0, c[r][0]);
                        c[r][1] = _mm512_fmadd_ph(w, v1, c[r][1]);
                        c[r][2] = _mm512_fmadd_ph(w, v2, c[r][2]);
                        c[r][3] = _mm512_fmadd_ph(w, v3, c[r][3]);
                    }
                }
                for (int r = 0; r < 4; r++) {
                    float *o = acc + (r0 + r) * hd + d0;
                    for (int i = 0; i < 4; i++) {
                        const __m512i bits = _mm512_castph_si512(c[r][i]);
                        const __m512 lo = _mm512_cvtxph_ps(_mm256_castsi256_ph(_mm512_castsi512_si256(bits)));
                        const __m512 hi = _mm512_cvtxph_ps(_mm256_castsi256_ph(_mm512_extracti64x4_epi64(bits, 1)));
                        _mm512_storeu_ps(o + 32 * i, _mm512_fmadd_ps(lo, scale, _mm512_loadu_ps(o + 32 * i)));
                        _mm512_storeu_ps(o + 32 * i + 16, _mm512_fmadd_ps(hi, scale, _mm512_loadu_ps(o + 32 * i + 16)));
                    }
                }
            }
        }
    }
}

// Query row r of the block as int8 quads biased to u8 (q + 128), scaled to ±127 by its largest
// |value| (the softmax's 1/√d included in its scale).
static void quantize_query(const float *q, float softmax_scale, int hd, uint32_t *qb, float *qscale) {
    float top = 0;
    for (int d = 0; d < hd; d++) top = fabsf(q[d]) > top ? fabsf(q[d]) : top;
    const float scale = top > 0 ? top / 127 : 1, inv = 1 / scale;
    *qscale = scale * softmax_scale;
    for (int p = 0; p < hd / 4; p++) {
        uint32_t word = 0;
        for (int i = 0; i < 4; i++) word |= (uint32_t)(uint8_t)((int)lrintf(q[4 * p + i] * inv) + 128) << (8 * i);
        qb[p] = word;
    }
}

__attribute__((target("avx512f,avx512bf16"))) static void bf16_task(void *context, long index) {
    const bf16_job *a = context;
    const long h = index / a->blocks, i0 = (index % a->blocks) * QUERY_ROWS;
    const long rows = a->mq - i0 < QUERY_ROWS ? a->mq - i0 : QUERY_ROWS;
    const int hd = a->hd, pairs = hd / 2, kvh = h / (a->heads / a->kv_heads);
    // Scratch: scores (f32), P as bf16 pairs, queries as bf16 pairs (or int8 quads), accumulator,
    // maxima, sums, the int8 queries' scales.
    float *s = scratch((long)QUERY_ROWS * KEY_TILE * 2 + (long)QUERY_ROWS * hd * 2 + 3 * QUERY_ROWS);
    if (!s) {
        atomic_store(&((bf16_job *)context)->failed, 1);
        return;
    }
    uint32_t *pw = (uint32_t *)(s + (long)QUERY_ROWS * KEY_TILE);     // [row][key pair]
    uint32_t *qw = pw + (long)QUERY_ROWS * KEY_TILE / 2;               // [row][dim pair] or [row][dim quad]
    float *acc = (float *)(qw + (long)QUERY_ROWS * pairs), *mx = acc + (long)QUERY_ROWS * hd, *sum = mx + QUERY_ROWS;
    float *qscale = sum + QUERY_ROWS;
    for (long r = 0; r < QUERY_ROWS; r++) {
        mx[r] = -INFINITY, sum[r] = 0;
        const float *q = a->q + (i0 + (r < rows ? r : 0)) * a->q_stride + (long)h * hd;
        if (a->int8_scores) {
            quantize_query(q, a->scale, hd, qw + r * (hd / 4), qscale + r);
            continue;
        }
        for (int p = 0; p < pairs; p++)
            qw[r * pairs + p] = (uint32_t)to_bf16(q[2 * p] * a->scale) | ((uint32_t)to_bf16(q[2 * p + 1] * a->scale) << 16);
    }
    memset(acc, 0, sizeof(float) * (size_t)QUERY_ROWS * (size_t)hd);
    // Rows are computed STEP_ROWS at a time: the ones past the block's last row read zero weights.
    const long rows_padded = (rows + STEP_ROWS - 1) / STEP_ROWS * STEP_ROWS;
    memset(pw + rows * (KEY_TILE / 2), 0, sizeof(uint32_t) * (size_t)(rows_padded - rows) * (KEY_TILE / 2));
    const uint16_t *kp = a->kp ? a->kp + kvh * a->padded * hd : NULL, *vp = a->vp + kvh * a->padded * hd;
    long limit = a->causal ? i0 + rows + a->offset : a->mk;
    if (limit > a->mk) limit = a->mk;
    for (long j0 = 0; j0 < limit; j0 += KEY_TILE) {
        const long cols = limit - j0 < KEY_TILE ? limit - j0 : KEY_TILE;
        const long cols32 = (cols + 31) / 32 * 32;  // packed keys are zero past mk
        if (a->int8_scores)
            scores_int8(qw, qscale, hd / 4, rows_padded, a->kq + kvh * a->padded * hd, a->kscale + kvh * a->padded,
                        a->ksum128 + kvh * a->padded, j0, cols32, s);
        else
            scores_bf16(qw, pairs, rows_padded, kp, j0, cols32, s);
        // Online softmax per row; P as bf16 pairs, zero past the visible keys.
        for (long r = 0; r < rows; r++) {
            float *row = s + r * KEY_TILE;
            long visible = a->causal ? i0 + r + a->offset + 1 - j0 : cols;
            if (visible > cols) visible = cols;
            if (visible <= 0) {
                memset(pw + r * (KEY_TILE / 2), 0, sizeof(uint32_t) * (size_t)(cols32 / 2));
                continue;
            }
            softmax_row(row, visible, cols32, mx + r, sum + r, acc + r * hd, hd);
            // P in bf16, rounded to nearest even (to_bf16's rounding), 32 weights a step: in
            // memory, weight j is the j-th 16-bit half, so the pairs are what P·V reads. With
            // fp16 values, P in fp16 in the same places.
            if (a->fp16_values)
                for (long j = 0; j < cols32; j += 16)
                    _mm256_storeu_si256((__m256i *)((uint16_t *)(pw + r * (KEY_TILE / 2)) + j),
                                        _mm512_cvtps_ph(_mm512_loadu_ps(row + j), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
            else
                for (long j = 0; j < cols32; j += 32)
                    _mm512_storeu_si512(pw + r * (KEY_TILE / 2) + j / 2,
                                        (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(row + j + 16), _mm512_loadu_ps(row + j)));
        }
        if (a->fp16_values) {
            values_fp16((const uint16_t *)pw, rows_padded, a->vh + kvh * a->padded * hd, j0, cols32, hd, a->vscale[kvh], acc);
            continue;
        }
        // acc += P·V: STEP_ROWS rows × 32 dims a step.
        for (long r0 = 0; r0 < rows_padded; r0 += STEP_ROWS) {
            for (int d0 = 0; d0 < hd; d0 += 32) {
                __m512 c[STEP_ROWS][2];
                for (int r = 0; r < STEP_ROWS; r++) {
                    c[r][0] = _mm512_loadu_ps(acc + (r0 + r) * hd + d0);
                    c[r][1] = _mm512_loadu_ps(acc + (r0 + r) * hd + d0 + 16);
                }
                for (long jp = 0; jp < cols32 / 2; jp++) {
                    const uint16_t *v = vp + (((j0 / 2) + jp) * (hd / 16) + d0 / 16) * 32;
                    __m512bh b0 = (__m512bh)_mm512_loadu_si512(v), b1 = (__m512bh)_mm512_loadu_si512(v + 32);
                    for (int r = 0; r < STEP_ROWS; r++) {
                        __m512bh p = (__m512bh)_mm512_set1_epi32((int)pw[(r0 + r) * (KEY_TILE / 2) + jp]);
                        c[r][0] = _mm512_dpbf16_ps(c[r][0], p, b0);
                        c[r][1] = _mm512_dpbf16_ps(c[r][1], p, b1);
                    }
                }
                for (int r = 0; r < STEP_ROWS; r++) {
                    _mm512_storeu_ps(acc + (r0 + r) * hd + d0, c[r][0]);
                    _mm512_storeu_ps(acc + (r0 + r) * hd + d0 + 16, c[r][1]);
                }
            }
        }
    }
    float *out = a->out + i0 * a->out_stride + (long)h * hd;
    for (long r = 0; r < rows; r++) {
        const float inv = sum[r] > 0 ? 1 / sum[r] : 0;
        for (int d = 0; d < hd; d++) out[r * a->out_stride + d] = acc[r * hd + d] * inv;
    }
}
#endif

// ---------------------------------------------------------------------------------------------
// Attention on f32 FMAs: the same tiles and online softmax, both products as FMAs over 8 rows ×
// 32 columns — for f32 on every AVX-512 CPU, and for bf16 where the CPU's bf16 dot product is
// slow against its f32 FMA (tk_dnnl_products_on_fma(0), the Intel Xeon of docs/benchmarks.md).
// Keys are packed per KV head as [key / 16][dim][16 keys] and values as [key][dim], in f32; 1/√d
// is applied to the scores, as transformers does. For bf16, queries (times 1/√d), keys, values
// and P are rounded to bf16 first, as above — the same products (exact in f32), f32 sums.

// Packs one KV head's keys and values in f32 (task index = KV head), zeros past mk; for bf16,
// rounded to bf16.
static void pack_f32_task(void *context, long kvh) {
    const bf16_job *a = context;
    const int hd = a->hd, bf16 = a->fma == FMA_BF16;
    float *kf = a->kf + kvh * a->padded * hd, *vf = a->vf + kvh * a->padded * hd;
    for (long j = 0; j < a->padded; j++) {
        const float *k = a->k + j * a->kv_stride + kvh * hd, *v = a->v + j * a->kv_stride + kvh * hd;
        for (int d = 0; d < hd; d++) {
            const float key = j < a->mk ? k[d] : 0, value = j < a->mk ? v[d] : 0;
            kf[((j / 16) * hd + d) * 16 + j % 16] = bf16 ? from_bf16(to_bf16(key)) : key;
            vf[j * hd + d] = bf16 ? from_bf16(to_bf16(value)) : value;
        }
    }
}

#if TK_X86
// S = scale · Q·Kᵀ for one key tile, f32 keys.
__attribute__((target("avx512f"), noinline)) static void scores_f32(const float *qf, int hd, long rows_padded,
                                                                    const float *kf, long j0, long cols32, float scale,
                                                                    float *s) {
    const __m512 vscale = _mm512_set1_ps(scale);
    for (long r0 = 0; r0 < rows_padded; r0 += STEP_ROWS) {
        for (long c0 = 0; c0 < cols32; c0 += 32) {
            __m512 c[STEP_ROWS][2];
            for (int r = 0; r < STEP_ROWS; r++) c[r][0] = c[r][1] = _mm512_setzero_ps();
            const float *k0 = kf + ((j0 + c0) / 16) * hd * 16, *k1 = k0 + hd * 16;
            const float *q = qf + r0 * hd;
            for (int d = 0; d < hd; d++) {
                const __m512 b0 = _mm512_loadu_ps(k0 + d * 16), b1 = _mm512_loadu_ps(k1 + d * 16);
                for (int r = 0; r < STEP_ROWS; r++) {
                    const __m512 x = _mm512_set1_ps(q[r * hd + d]);
                    c[r][0] = _mm512_fmadd_ps(x, b0, c[r][0]);
                    c[r][1] = _mm512_fmadd_ps(x, b1, c[r][1]);
                }
            }
            for (int r = 0; r < STEP_ROWS; r++) {
                _mm512_storeu_ps(s + (r0 + r) * KEY_TILE + c0, _mm512_mul_ps(c[r][0], vscale));
                _mm512_storeu_ps(s + (r0 + r) * KEY_TILE + c0 + 16, _mm512_mul_ps(c[r][1], vscale));
            }
        }
    }
}

// acc += P·V for one key tile, f32 values packed ([key][dim], 64-byte aligned rows: loads that
// straddle two cache lines cost ~15 % here), `cols` keys, 64 keys × 32 dims at a time so that
// block of values (8 KB) stays in L1 while every row block passes.
__attribute__((target("avx512f"), noinline)) static void values_f32(const float *p, long rows_padded, const float *vf,
                                                                    long cols, int hd, float *acc) {
    for (long j0 = 0; j0 < cols; j0 += VALUE_KEYS) {
        const long j1 = j0 + VALUE_KEYS < cols ? j0 + VALUE_KEYS : cols;
        for (int d0 = 0; d0 < hd; d0 += 32) {
            for (long r0 = 0; r0 < rows_padded; r0 += STEP_ROWS) {
                __m512 c[STEP_ROWS][2];
                for (int r = 0; r < STEP_ROWS; r++) {
                    c[r][0] = _mm512_loadu_ps(acc + (r0 + r) * hd + d0);
                    c[r][1] = _mm512_loadu_ps(acc + (r0 + r) * hd + d0 + 16);
                }
                const float *w = p + r0 * KEY_TILE;
                for (long j = j0; j < j1; j++) {
                    const float *row = vf + j * hd + d0;
                    const __m512 b0 = _mm512_load_ps(row), b1 = _mm512_load_ps(row + 16);
                    for (int r = 0; r < STEP_ROWS; r++) {
                        const __m512 x = _mm512_set1_ps(w[r * KEY_TILE + j]);
                        c[r][0] = _mm512_fmadd_ps(x, b0, c[r][0]);
                        c[r][1] = _mm512_fmadd_ps(x, b1, c[r][1]);
                    }
                }
                for (int r = 0; r < STEP_ROWS; r++) {
                    _mm512_storeu_ps(acc + (r0 + r) * hd + d0, c[r][0]);
                    _mm512_storeu_ps(acc + (r0 + r) * hd + d0 + 16, c[r][1]);
                }
            }
        }
    }
}

// Rounds n f32 values to bf16 in place (nearest even), still as f32; n a multiple of 16.
__attribute__((target("avx512f"))) static void round_to_bf16(float *x, long n) {
    const __m512i high = _mm512_set1_epi32((int)0xffff0000u), half = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1);
    for (long j = 0; j < n; j += 16) {
        const __m512i u = _mm512_castps_si512(_mm512_loadu_ps(x + j));
        const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16), one);
        _mm512_storeu_ps(x + j, _mm512_castsi512_ps(_mm512_and_si512(_mm512_add_epi32(u, _mm512_add_epi32(half, odd)), high)));
    }
}

__attribute__((target("avx512f"))) static void fma_task(void *context, long index) {
    const bf16_job *a = context;
    const long h = index / a->blocks, i0 = (index % a->blocks) * QUERY_ROWS;
    const long rows = a->mq - i0 < QUERY_ROWS ? a->mq - i0 : QUERY_ROWS;
    const int hd = a->hd, kvh = h / (a->heads / a->kv_heads), bf16 = a->fma == FMA_BF16;
    // Scratch: scores (then P), queries, accumulator, maxima, sums.
    float *s = scratch((long)QUERY_ROWS * KEY_TILE + 2L * QUERY_ROWS * hd + 2 * QUERY_ROWS);
    if (!s) {
        atomic_store(&((bf16_job *)context)->failed, 1);
        return;
    }
    float *qf = s + (long)QUERY_ROWS * KEY_TILE, *acc = qf + (long)QUERY_ROWS * hd, *mx = acc + (long)QUERY_ROWS * hd;
    float *sum = mx + QUERY_ROWS;
    const long rows_padded = (rows + STEP_ROWS - 1) / STEP_ROWS * STEP_ROWS;
    for (long r = 0; r < rows_padded; r++) {
        mx[r] = -INFINITY, sum[r] = 0;
        const float *q = a->q + (i0 + (r < rows ? r : 0)) * a->q_stride + (long)h * hd;
        for (int d = 0; d < hd; d++) qf[r * hd + d] = bf16 ? from_bf16(to_bf16(q[d] * a->scale)) : q[d];
    }
    memset(acc, 0, sizeof(float) * (size_t)rows_padded * (size_t)hd);
    long limit = a->causal ? i0 + rows + a->offset : a->mk;
    if (limit > a->mk) limit = a->mk;
    for (long j0 = 0; j0 < limit; j0 += KEY_TILE) {
        const long cols = limit - j0 < KEY_TILE ? limit - j0 : KEY_TILE;
        const long cols32 = (cols + 31) / 32 * 32;  // packed keys are zero past mk
        scores_f32(qf, hd, rows_padded, a->kf + kvh * a->padded * hd, j0, cols32, bf16 ? 1 : a->scale, s);
        for (long r = 0; r < rows_padded; r++) {
            float *row = s + r * KEY_TILE;
            long visible = r >= rows ? 0 : (a->causal ? i0 + r + a->offset + 1 - j0 : cols);
            if (visible > cols) visible = cols;
            if (visible <= 0) {
                memset(row, 0, sizeof(float) * (size_t)cols32);  // the padding rows and unseen keys weigh nothing
                continue;
            }
            softmax_row(row, visible, cols32, mx + r, sum + r, acc + r * hd, hd);
            if (bf16) round_to_bf16(row, cols32);
        }
        values_f32(s, rows_padded, a->vf + (kvh * a->padded + j0) * hd, cols, hd, acc);
    }
    float *out = a->out + i0 * a->out_stride + (long)h * hd;
    for (long r = 0; r < rows; r++) {
        const float inv = sum[r] > 0 ? 1 / sum[r] : 0;
        for (int d = 0; d < hd; d++) out[r * a->out_stride + d] = acc[r * hd + d] * inv;
    }
}
#endif

// Runs attention on the FMA kernels: 1 done, 0 not here (nothing written), −1 memory ran out
// part way.
static int attention_on_fma(const float *q, long mq, long q_stride, const float *k, const float *v, long mk,
                            long kv_stride, int heads, int kv_heads, int head_dim, int causal, long causal_offset,
                            float *out, long out_stride, int mode) {
#if TK_X86
    if (tk_simd_level() < 2 || head_dim % 32 != 0 || mq <= 0 || mk <= 0 || heads <= 0 || kv_heads <= 0 ||
        heads % kv_heads != 0)
        return 0;
    const long padded = (mk + 31) / 32 * 32;
    const size_t elements = (size_t)kv_heads * (size_t)padded * (size_t)head_dim;
    float *kf = aligned_alloc(64, elements * 4 + 64), *vf = aligned_alloc(64, elements * 4 + 64);
    if (!kf || !vf) {
        free(kf), free(vf);
        return 0;
    }
    bf16_job job = {
        .q = q, .k = k, .v = v, .out = out, .kf = kf, .vf = vf, .mq = mq, .mk = mk, .q_stride = q_stride,
        .kv_stride = kv_stride, .out_stride = out_stride, .offset = causal_offset,
        .blocks = (mq + QUERY_ROWS - 1) / QUERY_ROWS, .padded = padded, .heads = heads, .kv_heads = kv_heads,
        .hd = head_dim, .causal = causal, .fma = mode, .scale = 1 / sqrtf((float)head_dim),
    };
    tk_parallel_for(kv_heads, pack_f32_task, &job);
    tk_parallel_for(job.blocks * heads, fma_task, &job);
    free(kf), free(vf);
    return atomic_load(&job.failed) ? -1 : 1;
#else
    (void)q, (void)mq, (void)q_stride, (void)k, (void)v, (void)mk, (void)kv_stride, (void)heads, (void)kv_heads;
    (void)head_dim, (void)causal, (void)causal_offset, (void)out, (void)out_stride, (void)mode;
    return 0;
#endif
}

static atomic_int fp16_allowed = 1;

void tk_attention_allow_fp16(int allowed) { atomic_store(&fp16_allowed, allowed != 0); }

int tk_attention_bf16(const float *q, long mq, long q_stride, const float *k, const float *v, long mk, long kv_stride,
                      int heads, int kv_heads, int head_dim, int causal, long causal_offset, float *out,
                      long out_stride, int int8_scores) {
#if TK_X86
    static int has = -1, has_vnni = -1, has_fp16 = -1;
    if (has < 0) has = __builtin_cpu_supports("avx512bf16") ? 1 : 0;
    if (has_vnni < 0) has_vnni = __builtin_cpu_supports("avx512vnni") ? 1 : 0;
    if (has_fp16 < 0) has_fp16 = __builtin_cpu_supports("avx512fp16") ? 1 : 0;
    if (!int8_scores && tk_dnnl_products_on_fma(0)) {
        const int done = attention_on_fma(q, mq, q_stride, k, v, mk, kv_stride, heads, kv_heads, head_dim, causal,
                                          causal_offset, out, out_stride, FMA_BF16);
        if (done) return done;
    }
    if (!has || head_dim % 32 != 0 || mq <= 0 || mk <= 0 || heads <= 0 || kv_heads <= 0 ||
        heads % kv_heads != 0)
        return 0;
    int8_scores = int8_scores && has_vnni;
    // With int8 scores (a lossy mode already), P·V runs in fp16 where the CPU has AVX512-FP16: its
    // FMA does twice vdpbf16ps's work a cycle on the CPUs that have both.
    const int fp16_values = int8_scores && has_fp16 && head_dim % 128 == 0 && atomic_load(&fp16_allowed);
    const long padded = (mk + 31) / 32 * 32;
    const size_t elements = (size_t)kv_heads * (size_t)padded * (size_t)head_dim;
    uint16_t *kp = int8_scores ? NULL : aligned_alloc(64, elements * 2 + 64);
    uint16_t *vp = fp16_values ? NULL : aligned_alloc(64, elements * 2 + 64);
    uint16_t *vh = fp16_values ? aligned_alloc(64, elements * 2 + 64) : NULL;
    float *vscale = fp16_values ? malloc(sizeof(float) * (size_t)kv_heads) : NULL;
    int8_t *kq = int8_scores ? aligned_alloc(64, elements + 64) : NULL;
    float *kscale = int8_scores ? malloc(sizeof(float) * (size_t)kv_heads * (size_t)padded) : NULL;
    int32_t *ksum128 = int8_scores ? malloc(sizeof(int32_t) * (size_t)kv_heads * (size_t)padded) : NULL;
    if ((!int8_scores && !kp) || (!fp16_values && !vp) || (fp16_values && (!vh || !vscale)) ||
        (int8_scores && (!kq || !kscale || !ksum128))) {
        free(kp), free(vp), free(vh), free(vscale), free(kq), free(kscale), free(ksum128);
        return 0;
    }
    bf16_job job = {
        .q = q, .k = k, .v = v, .out = out, .kp = kp, .vp = vp, .kq = kq, .kscale = kscale, .ksum128 = ksum128,
        .vh = vh, .vscale = vscale, .mq = mq, .mk = mk, .q_stride = q_stride, .kv_stride = kv_stride,
        .out_stride = out_stride, .offset = causal_offset, .blocks = (mq + QUERY_ROWS - 1) / QUERY_ROWS,
        .padded = padded, .heads = heads, .kv_heads = kv_heads, .hd = head_dim, .causal = causal,
        .int8_scores = int8_scores, .fp16_values = fp16_values, .scale = 1 / sqrtf((float)head_dim),
    };
    tk_parallel_for(kv_heads, pack_task, &job);
    tk_parallel_for(job.blocks * heads, bf16_task, &job);
    free(kp), free(vp), free(vh), free(vscale), free(kq), free(kscale), free(ksum128);
    return atomic_load(&job.failed) ? -1 : 1;
#else
    (void)q, (void)mq, (void)q_stride, (void)k, (void)v, (void)mk, (void)kv_stride, (void)heads, (void)kv_heads;
    (void)head_dim, (void)causal, (void)causal_offset, (void)out, (void)out_stride, (void)int8_scores;
    return 0;
#endif
}
