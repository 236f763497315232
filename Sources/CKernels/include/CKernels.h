#ifndef TETHER_CKERNELS_H
#define TETHER_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// y[i*ldy + r] = dot(W row r, x row i) for rows r in [r0, r1) and i in [0, m).
/// W is n × k of bf16 (`is_bf16` = 1) or IEEE f16 (0), row-major; x is m × k f32.
void tk_gemv_half(const uint16_t *w, int is_bf16, long k, const float *x, long m,
                  float *y, long ldy, long r0, long r1);

/// out[i] = (float)in[i] for n bf16 (`is_bf16` = 1) or f16 (0) values.
void tk_half_to_f32(const uint16_t *in, int is_bf16, float *out, long n);

#endif
