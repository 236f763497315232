// The CPU's peak rates for the kinds of multiply-add the engine's products run on, with every
// thread busy: f32 FMA (vfmadd231ps), fp16 FMA (vfmadd231ph, AVX512-FP16), bf16 dot products
// (vdpbf16ps, AVX-512 BF16) and int8 dot products (vpdpbusd, AVX-512 VNNI), each on 24
// independent 512-bit accumulators so latency never bounds them. Prints one line per kind: name, GFLOP/s (GOP/s for int8), threads.
// Scripts/bench-engine compiles and runs it; a kind the CPU lacks prints "none".
// Build: clang -O2 -pthread Scripts/peak_rates.c -o peak_rates (Swift's clang; gcc works too); run: ./peak_rates THREADS
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { ACCUMULATORS = 24 };
static const long ITERATIONS = 20000000;

__attribute__((target("avx512f"))) static float run_fma(void) {
    __m512 acc[ACCUMULATORS];
    for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_setzero_ps();
    __m512 a = _mm512_set1_ps(1e-9f), b = _mm512_set1_ps(1);
    for (long it = 0; it < ITERATIONS; it++) {
#pragma GCC unroll 24
        for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_fmadd_ps(a, b, acc[i]);
        __asm__ volatile("" : "+v"(a));
    }
    float s = 0;
    for (int i = 0; i < ACCUMULATORS; i++) s += _mm512_reduce_add_ps(acc[i]);
    return s;
}

__attribute__((target("avx512f,avx512fp16"))) static float run_fp16(void) {
    __m512h acc[ACCUMULATORS];
    for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_setzero_ph();
    __m512h a = _mm512_set1_ph((_Float16)1e-4f), b = _mm512_set1_ph((_Float16)1);
    for (long it = 0; it < ITERATIONS; it++) {
#pragma GCC unroll 24
        for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_fmadd_ph(a, b, acc[i]);
        __asm__ volatile("" : "+v"(a));
    }
    float s = 0;
    for (int i = 0; i < ACCUMULATORS; i++) s += (float)_mm512_reduce_add_ph(acc[i]);
    return s;
}

__attribute__((target("avx512f,avx512bf16"))) static float run_bf16(void) {
    __m512 acc[ACCUMULATORS];
    for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_setzero_ps();
    __m512bh a = (__m512bh)_mm512_set1_epi16(0x3f80), b = (__m512bh)_mm512_set1_epi16(0x3f80);
    for (long it = 0; it < ITERATIONS; it++) {
#pragma GCC unroll 24
        for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
        __asm__ volatile("" : "+v"(a));
    }
    float s = 0;
    for (int i = 0; i < ACCUMULATORS; i++) s += _mm512_reduce_add_ps(acc[i]);
    return s;
}

__attribute__((target("avx512f,avx512vnni"))) static float run_int8(void) {
    __m512i acc[ACCUMULATORS];
    for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_setzero_si512();
    __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(1);
    for (long it = 0; it < ITERATIONS; it++) {
#pragma GCC unroll 24
        for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
        __asm__ volatile("" : "+v"(a));
    }
    long s = 0;
    for (int i = 0; i < ACCUMULATORS; i++) s += _mm512_reduce_add_epi32(acc[i]);
    return (float)s;
}

static volatile float sink;
static void *worker(void *kernel) {
    sink = ((float (*)(void))kernel)();
    return NULL;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

// Operations a thread does: iterations × accumulators × operations an instruction.
static void measure(const char *name, int supported, float (*kernel)(void), double per_instruction, int threads) {
    if (!supported) {
        printf("%s none %d\n", name, threads);
        return;
    }
    pthread_t team[64];
    const double start = now();
    for (int t = 0; t < threads; t++) pthread_create(&team[t], NULL, worker, (void *)kernel);
    for (int t = 0; t < threads; t++) pthread_join(team[t], NULL);
    const double seconds = now() - start;
    printf("%s %.1f %d\n", name, threads * (double)ITERATIONS * ACCUMULATORS * per_instruction / seconds / 1e9, threads);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    measure("f32_fma", __builtin_cpu_supports("avx512f"), run_fma, 32, threads);
    measure("fp16_fma", __builtin_cpu_supports("avx512fp16"), run_fp16, 64, threads);
    measure("bf16_dot", __builtin_cpu_supports("avx512bf16"), run_bf16, 64, threads);
    measure("int8_dot", __builtin_cpu_supports("avx512vnni"), run_int8, 128, threads);
    return 0;
}
