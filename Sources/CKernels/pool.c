// The engine's compute pool: threads - 1 workers that sleep on a condition variable and the
// calling thread, which works too. Every parallel kernel here (attention, norms, the OpenBLAS
// fallback's products) runs through it; oneDNN's products run on its OpenMP team of the same
// size. Nothing spins: an idle engine costs no CPU, and Swift's threads keep their cores.
#include "CKernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define TK_MAX_THREADS 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;     // one parallel_for at a time
static pthread_mutex_t state = PTHREAD_MUTEX_INITIALIZER;    // guards the job and generation
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int started;            // workers running
static int wanted;             // threads asked for (0: every core)
static unsigned long generation;
static tk_task_fn job_fn;
static void *job_ctx;
static long job_count;
static atomic_long next_index;
static int busy_workers;
static _Thread_local int inside;  // a task that calls tk_parallel_for runs it inline

static int cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > TK_MAX_THREADS ? TK_MAX_THREADS : (int)n);
}

int tk_pool_threads(void) {
    int n = wanted > 0 ? wanted : cores();
    return n > TK_MAX_THREADS ? TK_MAX_THREADS : n;
}

void tk_pool_set_threads(int threads) {
    if (threads > 0) wanted = threads;
}

static void drain(tk_task_fn fn, void *ctx, long count) {
    for (;;) {
        long i = atomic_fetch_add(&next_index, 1);
        if (i >= count) break;
        fn(ctx, i);
    }
}

static void *worker(void *unused) {
    (void)unused;
    inside = 1;
    unsigned long seen = 0;
    pthread_mutex_lock(&state);
    for (;;) {
        while (generation == seen) pthread_cond_wait(&wake, &state);
        seen = generation;
        tk_task_fn fn = job_fn;
        void *ctx = job_ctx;
        long count = job_count;
        busy_workers++;
        pthread_mutex_unlock(&state);
        drain(fn, ctx, count);
        pthread_mutex_lock(&state);
        if (--busy_workers == 0) pthread_cond_signal(&done);
    }
    return NULL;
}

void tk_parallel_for(long count, tk_task_fn fn, void *ctx) {
    if (count <= 0) return;
    int threads = tk_pool_threads();
    if (inside || threads == 1 || count == 1) {
        for (long i = 0; i < count; i++) fn(ctx, i);
        return;
    }
    pthread_mutex_lock(&lock);
    pthread_mutex_lock(&state);
    while (started < threads - 1) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&t, &attr, worker, NULL);
        pthread_attr_destroy(&attr);
        if (failed) break;
        started++;
    }
    // A worker that woke late for the last job may still be leaving it: the counter is shared.
    while (busy_workers > 0) pthread_cond_wait(&done, &state);
    job_fn = fn;
    job_ctx = ctx;
    job_count = count;
    atomic_store(&next_index, 0);
    generation++;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&state);
    inside = 1;
    drain(fn, ctx, count);
    inside = 0;
    pthread_mutex_lock(&state);
    // Workers that woke late find no index left and leave at once; wait for those that took one.
    while (busy_workers > 0) pthread_cond_wait(&done, &state);
    pthread_mutex_unlock(&state);
    pthread_mutex_unlock(&lock);
}

#include <malloc.h>

// A forward pass allocates and frees activations of tens to hundreds of MB per product. glibc
// gives blocks that large back to the kernel at once (mmap/munmap, and each thread's arena caps
// its heap at 64 MB), so every product paid for fresh zeroed pages — 12–17 % of a prefill's
// time. One arena whose freed blocks stay in the process makes the next pass reuse them.
static void tk_keep_freed_memory_now(void) {
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

void tk_keep_freed_memory(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, tk_keep_freed_memory_now);
}
