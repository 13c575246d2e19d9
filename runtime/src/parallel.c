//===- parallel.c - The thread pool of a context ------------------*- C -*-===//
//
// nnrt_parallel_for and the pool of worker threads behind it. A batch-1
// inference takes tens of microseconds and may contain dozens of parallel
// loops, so handing out a loop must cost well under a microsecond when the
// workers are awake:
//
//   - Every worker has its own slot (one cache line): the calling thread
//     hands out a chunk by writing the body, closure and range into the
//     slot of the worker, then bumping the generation counter next to them.
//     A worker polls its own line, which no other worker touches, and finds
//     its whole chunk there, so a loop costs one cache-line transfer to each
//     worker; workers without a chunk are not disturbed at all.
//   - Completion is one atomic counter of outstanding chunks, which the
//     calling thread spins on after running chunk 0 itself.
//   - A worker spins for a bounded time after its last chunk (pause, then
//     sched_yield, see NNRT_SPIN_PAUSES), then sleeps on a condition
//     variable, so an idle program uses no CPU. The caller only takes the
//     slot's mutex when the worker has said it is asleep.
//
//   - Each worker is pinned to a core other than the one the creating
//     thread runs on (NNRT_PIN_THREADS=0 turns this off). Left to the
//     scheduler, a new worker often starts on the caller's core; both then
//     spin, each looks cache-hot to the load balancer, and for tens of
//     milliseconds two-thread loops ran no faster than one (measured on a
//     2-core Zen 5: a 64x784x256 GEMM took 0.126 ms instead of 0.060 in
//     about half of the processes). The calling thread is the application's
//     and is never pinned: the scheduler moves it off a pinned worker's core.
//
// A condition variable rather than a raw futex: the wake-up costs a system
// call either way, the mutex in front of it is uncontended, and pthreads keep
// the runtime portable and understood by thread checkers (helgrind, DRD).
//
//===----------------------------------------------------------------------===//

// pthreads, sched_yield, pthread_sigmask and clock_gettime are POSIX, not
// C11; request them explicitly because the runtime is compiled with -std=c11.
// sched_getcpu, CPU_SET and pthread_setaffinity_np (worker pinning) are GNU
// extensions, which also bring in the POSIX interfaces below.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "nnrt/parallel.h"
#include "context_impl.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

// Helgrind does not know that the atomics below order the loop's memory (the
// loop's fields, and everything the bodies read and write) between threads;
// without these annotations it reports every loop, of libnnrt and of the
// application alike, as a data race. Natively they are a few register moves
// with no effect. Used when the build machine has valgrind's headers, unless
// NNRT_NO_VALGRIND_ANNOTATIONS is defined.
#if !defined(NNRT_NO_VALGRIND_ANNOTATIONS) && defined(__has_include)
#if __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
#define NNRT_HAPPENS_BEFORE(address) ANNOTATE_HAPPENS_BEFORE(address)
#define NNRT_HAPPENS_AFTER(address) ANNOTATE_HAPPENS_AFTER(address)
#endif
#endif
#ifndef NNRT_HAPPENS_BEFORE
#define NNRT_HAPPENS_BEFORE(address) ((void)(address))
#define NNRT_HAPPENS_AFTER(address) ((void)(address))
#endif

/// How a thread waits for another: it first polls NNRT_SPIN_PAUSES times
/// with a pause instruction in between, about 1-5 microseconds (the gap
/// between two loops of one inference, so handing out the next loop costs
/// no system call). Then it polls with sched_yield in between, which on an
/// idle core returns at once (a fraction of a microsecond) but on a busy one
/// hands the CPU to threads that have work, often the very thread being
/// waited for: with more threads than cores (several contexts, other
/// programs) pure spinning made each loop wait for the scheduler to preempt
/// the spinners, tens of times slower. A worker yields for at most
/// NNRT_SPIN_NS nanoseconds of wall-clock time (not a count: the cost of a
/// yield depends on the load) and then sleeps until the next loop; the
/// caller waiting for its loop's chunks keeps yielding. Compile-time
/// settings, for tuning.
#ifndef NNRT_SPIN_PAUSES
#define NNRT_SPIN_PAUSES 128
#endif
#ifndef NNRT_SPIN_NS
#define NNRT_SPIN_NS 200000
#endif

/// Tells the core that this is a spin-wait: it saves power, frees execution
/// resources for the sibling hyperthread (which may be the thread we wait
/// for) and avoids the memory-order flush when the awaited write arrives.
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield" ::: "memory");
#endif
}

/// What a worker waits on: written by the calling thread, read by one worker.
/// Aligned to a cache line so that a worker spinning on its generation never
/// shares a line with another worker.
typedef struct worker_slot {
  /// Bumped by the caller (the only writer) for each loop this worker takes
  /// part in; the worker runs its chunk whenever it differs from the value it
  /// last saw. Per worker rather than pool-wide, so that it changes exactly
  /// when this worker has work, and cannot wrap around to a value the worker
  /// still holds.
  _Alignas(NNRT_DEFAULT_ALIGNMENT) _Atomic uint32_t generation;
  /// 1 while the worker is (about to be) blocked on `wake`: the caller then
  /// signals it. Checked after the generation is written, and set by the
  /// worker before it checks the generation a last time: with sequentially
  /// consistent operations on both sides at least one of them sees the
  /// other's write, so no wake-up is lost.
  _Atomic uint32_t sleeping;
  // The chunk: body(closure, begin, end), or chunk_body(closure, begin, end,
  // chunk). Written by the caller before it bumps the generation (release)
  // and read by the worker after it sees the new value (acquire); the caller
  // rewrites them only after the worker has finished. Both NULL asks the
  // worker to exit.
  nnrt_parallel_body body;
  nnrt_parallel_chunk_body chunk_body;
  void *closure;
  int64_t begin;
  int64_t end;
  struct nnrt_pool *pool;
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  pthread_t thread;
} worker_slot;

struct nnrt_pool {
  /// Chunks handed to workers and not finished yet, on a line of its own.
  _Alignas(NNRT_DEFAULT_ALIGNMENT) _Atomic int64_t pending;
  int32_t num_workers;
  worker_slot *slots;
};

/// Start of chunk `index` of `n` iterations split into `num_chunks` chunks
/// whose sizes differ by at most one (the first n % num_chunks are one
/// longer). index * (n / num_chunks) <= n, so nothing overflows.
static int64_t chunk_begin(int64_t n, int64_t num_chunks, int64_t index) {
  int64_t size = n / num_chunks;
  int64_t longer = n % num_chunks;
  return index * size + (index < longer ? index : longer);
}

static int64_t monotonic_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/// Waits until the slot's generation differs from `seen` and returns it:
/// spins first, then sleeps on the slot's condition variable.
static uint32_t wait_for_work(worker_slot *slot, uint32_t seen) {
  uint32_t generation;
  for (int i = 0; i < NNRT_SPIN_PAUSES; ++i) {
    generation = atomic_load_explicit(&slot->generation, memory_order_acquire);
    if (generation != seen)
      return generation;
    cpu_relax();
  }
  int64_t yielding_since = monotonic_ns();
  do {
    sched_yield();
    generation = atomic_load_explicit(&slot->generation, memory_order_acquire);
    if (generation != seen)
      return generation;
  } while (monotonic_ns() - yielding_since <= NNRT_SPIN_NS);
  pthread_mutex_lock(&slot->mutex);
  atomic_store(&slot->sleeping, 1);
  while ((generation = atomic_load(&slot->generation)) == seen)
    pthread_cond_wait(&slot->wake, &slot->mutex);
  // Sequentially consistent only for valgrind's thread checkers, which take
  // a relaxed store (a plain move) for a race with the caller's load; this
  // path has just slept, a locked store costs nothing here.
  atomic_store(&slot->sleeping, 0);
  pthread_mutex_unlock(&slot->mutex);
  return generation;
}

static void *worker_main(void *arg) {
  worker_slot *slot = arg;
  nnrt_pool *pool = slot->pool;
  uint32_t seen = 0;
  for (;;) {
    seen = wait_for_work(slot, seen);
    NNRT_HAPPENS_AFTER(&slot->generation);
    // Worker i (from 0) runs chunk i + 1; the caller runs chunk 0.
    if (slot->chunk_body)
      slot->chunk_body(slot->closure, slot->begin, slot->end,
                       (int64_t)(slot - pool->slots) + 1);
    else if (slot->body)
      slot->body(slot->closure, slot->begin, slot->end);
    else
      return NULL;
    // Release: the caller, once it sees no chunk pending, also sees what
    // the body wrote.
    NNRT_HAPPENS_BEFORE(&pool->pending);
    atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_release);
  }
}

/// Hands body(closure, begin, end), or chunk_body with the slot's chunk
/// index, to the worker of `slot`.
static void publish(worker_slot *slot, nnrt_parallel_body body,
                    nnrt_parallel_chunk_body chunk_body, void *closure,
                    int64_t begin, int64_t end) {
  slot->body = body;
  slot->chunk_body = chunk_body;
  slot->closure = closure;
  slot->begin = begin;
  slot->end = end;
  // The caller is the only writer, so reading the old value needs no
  // ordering; the store must be sequentially consistent to pair with the
  // worker's `sleeping` store (see worker_slot).
  uint32_t next =
      atomic_load_explicit(&slot->generation, memory_order_relaxed) + 1;
  NNRT_HAPPENS_BEFORE(&slot->generation);
  atomic_store(&slot->generation, next);
  if (atomic_load(&slot->sleeping)) {
    pthread_mutex_lock(&slot->mutex);
    pthread_cond_signal(&slot->wake);
    pthread_mutex_unlock(&slot->mutex);
  }
}

/// Waits for every published chunk: spins, then yields the CPU in case the
/// workers it waits for share it (more threads than cores, or a busy machine).
/// It never sleeps: the workers are running its loop and finish soon.
static void wait_for_chunks(nnrt_pool *pool) {
  int pauses = 0;
  while (atomic_load_explicit(&pool->pending, memory_order_acquire) != 0) {
    if (pauses < NNRT_SPIN_PAUSES) {
      ++pauses;
      cpu_relax();
    } else {
      sched_yield();
    }
  }
  NNRT_HAPPENS_AFTER(&pool->pending);
}

/// The cores for `workers` pinned workers: those the process may run on
/// except the one the calling thread runs on now, which the workers take in
/// turn. 0 when the affinity cannot be read or there are fewer such cores
/// than workers (more threads than cores: the scheduler spreads them better
/// than a fixed plan); the workers then stay unpinned.
static int worker_cores(size_t workers, cpu_set_t *cores) {
  if (sched_getaffinity(0, sizeof *cores, cores) != 0)
    return 0;
  int here = sched_getcpu();
  if (here >= 0 && here < CPU_SETSIZE)
    CPU_CLR(here, cores);
  int count = CPU_COUNT(cores);
  return count >= 1 && workers <= (size_t)count;
}

/// Pins the worker `thread` to the index-th of `cores`.
static void pin_worker(pthread_t thread, const cpu_set_t *cores, size_t index) {
  size_t seen = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, cores) && seen++ == index) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      // A failure leaves the worker unpinned, which is slower, not wrong.
      (void)pthread_setaffinity_np(thread, sizeof one, &one);
      return;
    }
}

static nnrt_pool *create_pool(int32_t num_threads, int pin_workers) {
  nnrt_pool *pool = nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, sizeof(*pool));
  if (!pool)
    return NULL;
  size_t wanted = (size_t)num_threads - 1;
  if (wanted > SIZE_MAX / sizeof(worker_slot)) {
    nnrt_aligned_free(pool);
    return NULL;
  }
  pool->slots =
      nnrt_aligned_alloc(NNRT_DEFAULT_ALIGNMENT, wanted * sizeof(worker_slot));
  if (!pool->slots) {
    nnrt_aligned_free(pool);
    return NULL;
  }
  atomic_init(&pool->pending, 0);
  pool->num_workers = 0;

  // One plan of cores for all the workers, read once: the calling thread
  // may move between their starts.
  cpu_set_t cores;
  int pin = pin_workers && worker_cores(wanted, &cores);

  // Workers block every signal (they inherit the creating thread's mask), so
  // that signals sent to the process are handled by the application's own
  // threads, which is where its handlers expect to run.
  sigset_t all, old;
  sigfillset(&all);
  int masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
  for (size_t i = 0; i < wanted; ++i) {
    worker_slot *slot = &pool->slots[i];
    atomic_init(&slot->generation, 0);
    atomic_init(&slot->sleeping, 0);
    slot->pool = pool;
    if (pthread_mutex_init(&slot->mutex, NULL) != 0)
      break;
    if (pthread_cond_init(&slot->wake, NULL) != 0) {
      pthread_mutex_destroy(&slot->mutex);
      break;
    }
    // Out of threads or memory for stacks: the loops are split among fewer
    // threads, which is slower but computes the same.
    if (pthread_create(&slot->thread, NULL, worker_main, slot) != 0) {
      pthread_cond_destroy(&slot->wake);
      pthread_mutex_destroy(&slot->mutex);
      break;
    }
    if (pin)
      pin_worker(slot->thread, &cores, i);
    ++pool->num_workers;
  }
  if (masked)
    pthread_sigmask(SIG_SETMASK, &old, NULL);
  return pool;
}

void nnrt_pool_destroy(nnrt_pool *pool) {
  if (!pool)
    return;
  for (int32_t i = 0; i < pool->num_workers; ++i)
    publish(&pool->slots[i], NULL, NULL, NULL, 0, 0);
  for (int32_t i = 0; i < pool->num_workers; ++i) {
    worker_slot *slot = &pool->slots[i];
    pthread_join(slot->thread, NULL);
    pthread_cond_destroy(&slot->wake);
    pthread_mutex_destroy(&slot->mutex);
  }
  nnrt_aligned_free(pool->slots);
  nnrt_aligned_free(pool);
}

/// Runs one chunk on the calling thread.
static void run_chunk(nnrt_parallel_body body,
                      nnrt_parallel_chunk_body chunk_body, void *closure,
                      int64_t begin, int64_t end) {
  if (chunk_body)
    chunk_body(closure, begin, end, 0);
  else
    body(closure, begin, end);
}

/// nnrt_parallel_for with either kind of body (exactly one is non-NULL).
static void parallel_for(nnrt_context *ctx, int64_t n, int64_t grain,
                         void *closure, nnrt_parallel_body body,
                         nnrt_parallel_chunk_body chunk_body) {
  if (n <= 0)
    return;
  if (grain < 1)
    grain = 1;
  int64_t num_chunks = n / grain;
  if (!ctx || ctx->num_threads <= 1 || ctx->in_parallel_loop ||
      num_chunks < 2) {
    run_chunk(body, chunk_body, closure, 0, n);
    return;
  }
  if (!ctx->pool_started) {
    // Tried once: a failure leaves the context running loops inline instead
    // of allocating again on every call.
    ctx->pool_started = 1;
    ctx->pool = create_pool(ctx->num_threads, ctx->pin_workers);
  }
  nnrt_pool *pool = ctx->pool;
  int64_t threads = pool ? (int64_t)pool->num_workers + 1 : 1;
  if (num_chunks > threads)
    num_chunks = threads;
  if (num_chunks < 2) {
    run_chunk(body, chunk_body, closure, 0, n);
    return;
  }

  // Sequentially consistent although nothing orders on it: a locked store
  // (xchg on x86), which valgrind's thread checkers treat as atomic, unlike
  // the plain move of a relaxed store, which they report as racing with the
  // previous loop's decrements. It costs a few nanoseconds.
  atomic_store(&pool->pending, num_chunks - 1);
  // Set before the workers start (they read it, for nested calls, only after
  // seeing their generation) and cleared after they have all finished.
  ctx->in_parallel_loop = 1;
  for (int64_t i = 1; i < num_chunks; ++i)
    publish(&pool->slots[i - 1], body, chunk_body, closure,
            chunk_begin(n, num_chunks, i), chunk_begin(n, num_chunks, i + 1));
  run_chunk(body, chunk_body, closure, 0, chunk_begin(n, num_chunks, 1));
  wait_for_chunks(pool);
  ctx->in_parallel_loop = 0;
}

void nnrt_parallel_for(nnrt_context *ctx, int64_t n, int64_t grain,
                       void *closure, nnrt_parallel_body body) {
  if (body)
    parallel_for(ctx, n, grain, closure, body, NULL);
}

void nnrt_parallel_for_chunks(nnrt_context *ctx, int64_t n, int64_t grain,
                              void *closure, nnrt_parallel_chunk_body body) {
  if (body)
    parallel_for(ctx, n, grain, closure, NULL, body);
}
