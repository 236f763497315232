// Hand-written kernels for 16-bit weights: convert in registers, multiply in f32.
// An AVX2/FMA/F16C path is chosen at run time; the portable path is plain C.
#include "CKernels.h"
#include <string.h>

static inline float bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: renormalize
            int e = -1;
            do { e++; mant <<= 1; } while ((mant & 0x400) == 0);
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static float dot_portable(const uint16_t *w, int is_bf16, const float *x, long k) {
    float acc[8] = {0};
    long j = 0;
    for (; j + 8 <= k; j += 8)
        for (int t = 0; t < 8; t++)
            acc[t] += (is_bf16 ? bf16_to_f32(w[j + t]) : f16_to_f32(w[j + t])) * x[j + t];
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; j < k; j++) s += (is_bf16 ? bf16_to_f32(w[j]) : f16_to_f32(w[j])) * x[j];
    return s;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define TK_X86 1

__attribute__((target("avx2,fma,f16c")))
static inline __m256 load8_half(const uint16_t *p, int is_bf16) {
    __m128i h = _mm_loadu_si128((const __m128i *)p);
    if (is_bf16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    return _mm256_cvtph_ps(h);
}

__attribute__((target("avx2,fma,f16c")))
static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
    return _mm_cvtss_f32(lo);
}

// Up to four input rows at once, so each weight row is loaded once per four outputs.
__attribute__((target("avx2,fma,f16c")))
static void rows_avx2(const uint16_t *w, int is_bf16, long k, const float *x, long m,
                      float *y, long ldy, long r0, long r1) {
    for (long r = r0; r < r1; r++) {
        const uint16_t *wr = w + r * k;
        for (long i0 = 0; i0 < m; i0 += 4) {
            long mb = m - i0 < 4 ? m - i0 : 4;
            __m256 a0[4], a1[4];
            for (int i = 0; i < 4; i++) { a0[i] = _mm256_setzero_ps(); a1[i] = _mm256_setzero_ps(); }
            long j = 0;
            for (; j + 16 <= k; j += 16) {
                __m256 w0 = load8_half(wr + j, is_bf16), w1 = load8_half(wr + j + 8, is_bf16);
                for (long i = 0; i < mb; i++) {
                    const float *xi = x + (i0 + i) * k + j;
                    a0[i] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xi), a0[i]);
                    a1[i] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xi + 8), a1[i]);
                }
            }
            for (long i = 0; i < mb; i++) {
                float s = hsum256(_mm256_add_ps(a0[i], a1[i]));
                const float *xi = x + (i0 + i) * k;
                for (long jj = j; jj < k; jj++)
                    s += (is_bf16 ? bf16_to_f32(wr[jj]) : f16_to_f32(wr[jj])) * xi[jj];
                y[(i0 + i) * ldy + r] = s;
            }
        }
    }
}

__attribute__((target("avx2,f16c")))
static void convert_avx2(const uint16_t *in, int is_bf16, float *out, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, load8_half(in + i, is_bf16));
    for (; i < n; i++) out[i] = is_bf16 ? bf16_to_f32(in[i]) : f16_to_f32(in[i]);
}

static int has_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    }
    return cached;
}
#endif

void tk_gemv_half(const uint16_t *w, int is_bf16, long k, const float *x, long m,
                  float *y, long ldy, long r0, long r1) {
#ifdef TK_X86
    if (has_avx2()) { rows_avx2(w, is_bf16, k, x, m, y, ldy, r0, r1); return; }
#endif
    for (long r = r0; r < r1; r++)
        for (long i = 0; i < m; i++) y[i * ldy + r] = dot_portable(w + r * k, is_bf16, x + i * k, k);
}

void tk_half_to_f32(const uint16_t *in, int is_bf16, float *out, long n) {
#ifdef TK_X86
    if (has_avx2()) { convert_avx2(in, is_bf16, out, n); return; }
#endif
    for (long i = 0; i < n; i++) out[i] = is_bf16 ? bf16_to_f32(in[i]) : f16_to_f32(in[i]);
}
