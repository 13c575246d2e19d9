//===- parallel_test.c - Tests for libnnrt's thread pool ----------*- C -*-===//
//
// Exercises nnrt_parallel_for and nnrt_parallel_for_chunks (nnrt/parallel.h):
// how loops are split, the chunk indices chunk bodies are told, on
// which threads the chunks run, nested loops, many loops in a row with
// workers spinning and asleep, two contexts driven from two threads at once,
// lazily started workers that nnrt_context_destroy joins, workers pinned to
// cores (NNRT_PIN_THREADS), fewer workers when the system refuses threads,
// and no heap allocation once the pool exists.
// Prints one line per failed check and "N passed, M failed" (matched by
// parallel.test), and exits non-zero if any check failed.
//
// Usage: parallel-test [--quick | --bench]. --quick runs fewer loops and
// leaves out the address-space limit (for valgrind); --bench prints the cost
// of handing out an empty loop instead of testing.
//
// Link with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,
// --wrap=posix_memalign: the wrappers below count libnnrt's allocations.
//
//===----------------------------------------------------------------------===//

// setenv, sysconf, nanosleep, clock_gettime, getrlimit and dirent are POSIX,
// sched_getaffinity and sched_getcpu GNU; the test is built as strict C11
// like the runtime itself.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "../lib/check.h"
#include "nnrt/nnrt.h"
#include "nnrt/parallel.h"

#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

//===----------------------------------------------------------------------===//
// Counting allocations
//===----------------------------------------------------------------------===//

// The linker sends every call of these functions from the program and from
// libnnrt.a (linked statically) here; the C library's own calls, such as
// pthread_create's, are not seen.
void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
int __real_posix_memalign(void **ptr, size_t alignment, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
int __wrap_posix_memalign(void **ptr, size_t alignment, size_t size);

static _Atomic long num_allocations;

void *__wrap_malloc(size_t size) {
  atomic_fetch_add(&num_allocations, 1);
  return __real_malloc(size);
}
void *__wrap_calloc(size_t count, size_t size) {
  atomic_fetch_add(&num_allocations, 1);
  return __real_calloc(count, size);
}
void *__wrap_realloc(void *ptr, size_t size) {
  atomic_fetch_add(&num_allocations, 1);
  return __real_realloc(ptr, size);
}
int __wrap_posix_memalign(void **ptr, size_t alignment, size_t size) {
  atomic_fetch_add(&num_allocations, 1);
  return __real_posix_memalign(ptr, alignment, size);
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static int quick = 0;

static nnrt_context *make_context(int32_t num_threads) {
  nnrt_options opts;
  nnrt_options_init(&opts);
  opts.num_threads = num_threads;
  nnrt_context *ctx = NULL;
  if (nnrt_context_create(&opts, &ctx) != NNRT_OK) {
    printf("FAILED: nnrt_context_create(%d threads): %s\n", (int)num_threads,
           nnrt_last_create_error());
    exit(1);
  }
  return ctx;
}

/// Fills `tids` with up to `max` thread ids of this process; returns how
/// many, or -1 where they cannot be read.
static int list_threads(long *tids, int max) {
  DIR *dir = opendir("/proc/self/task");
  if (!dir)
    return -1;
  int count = 0;
  for (struct dirent *entry; (entry = readdir(dir)) != NULL;)
    if (entry->d_name[0] != '.' && count < max)
      tids[count++] = strtol(entry->d_name, NULL, 10);
  closedir(dir);
  return count;
}

/// The number of threads of this process, or -1 where that cannot be read.
static int count_threads(void) {
  long tids[1024];
  return list_threads(tids, 1024);
}

static void sleep_us(long us) {
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, NULL);
}

/// Waits up to two seconds for the process to have `expected` threads: a
/// joined thread may stay listed a moment after pthread_join returned.
static int threads_become(int expected) {
  for (int i = 0; i < 2000; ++i) {
    if (count_threads() == expected)
      return 1;
    sleep_us(1000);
  }
  printf("threads: %d, expected %d\n", count_threads(), expected);
  return 0;
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

//===----------------------------------------------------------------------===//
// The split
//===----------------------------------------------------------------------===//

#define MAX_CALLS 64
#define MAX_N 100003

/// What the bodies of one loop did: every call's range and thread, and how
/// often each index was visited.
typedef struct recorder {
  _Atomic int visits[MAX_N];
  int64_t n;
  _Atomic int num_calls;
  _Atomic int out_of_range;
  int64_t begins[MAX_CALLS];
  int64_t ends[MAX_CALLS];
  int64_t chunks[MAX_CALLS]; ///< the index a chunk body was given, or -1
  pthread_t threads[MAX_CALLS];
} recorder;

static recorder rec;

static void record_chunk_body(void *closure, int64_t begin, int64_t end,
                              int64_t chunk) {
  recorder *r = closure;
  int call = atomic_fetch_add(&r->num_calls, 1);
  if (call < MAX_CALLS) {
    r->begins[call] = begin;
    r->ends[call] = end;
    r->chunks[call] = chunk;
    r->threads[call] = pthread_self();
  }
  for (int64_t i = begin; i < end; ++i) {
    if (i >= 0 && i < r->n)
      atomic_fetch_add_explicit(&r->visits[i], 1, memory_order_relaxed);
    else
      atomic_fetch_add(&r->out_of_range, 1);
  }
}

static void record_body(void *closure, int64_t begin, int64_t end) {
  record_chunk_body(closure, begin, end, -1);
}

static void reset_recorder(recorder *r, int64_t n) {
  r->n = n;
  for (int64_t i = 0; i < n; ++i)
    atomic_store_explicit(&r->visits[i], 0, memory_order_relaxed);
  atomic_store(&r->num_calls, 0);
  atomic_store(&r->out_of_range, 0);
}

/// Runs a loop of `n` iterations on `ctx` and checks the split documented in
/// parallel.h for `threads` threads: every index visited once, by
/// min(threads, n / grain) contiguous chunks (one when that is below 2, none
/// when n <= 0) whose sizes differ by at most one, each on its own thread,
/// chunk 0 on the caller's. With `chunk_bodies`, the loop runs through
/// nnrt_parallel_for_chunks, and the k-th chunk in order of its range must
/// be told index k. Prints what went wrong; returns 1 when all held.
static int split_is_right_with(nnrt_context *ctx, int threads, int64_t n,
                               int64_t grain, int chunk_bodies) {
  reset_recorder(&rec, n);
  if (chunk_bodies)
    nnrt_parallel_for_chunks(ctx, n, grain, &rec, record_chunk_body);
  else
    nnrt_parallel_for(ctx, n, grain, &rec, record_body);

  int64_t g = grain < 1 ? 1 : grain;
  int64_t chunks = n <= 0 ? 0 : n / g < threads ? n / g : threads;
  if (n > 0 && chunks < 2)
    chunks = 1;
  char where[128];
  snprintf(where, sizeof(where), "threads %d, n %lld, grain %lld%s", threads,
           (long long)n, (long long)grain,
           chunk_bodies ? ", chunk bodies" : "");
  int calls = atomic_load(&rec.num_calls);
  if (calls != chunks) {
    printf("%s: %d calls of the body, expected %lld\n", where, calls,
           (long long)chunks);
    return 0;
  }
  if (atomic_load(&rec.out_of_range) != 0) {
    printf("%s: an index outside [0, n)\n", where);
    return 0;
  }
  for (int64_t i = 0; i < n; ++i) {
    int visits = atomic_load(&rec.visits[i]);
    if (visits != 1) {
      printf("%s: index %lld visited %d times\n", where, (long long)i, visits);
      return 0;
    }
  }
  // Order the calls by where they begin: they must tile [0, n).
  int order[MAX_CALLS];
  for (int i = 0; i < calls; ++i)
    order[i] = i;
  for (int i = 1; i < calls; ++i)
    for (int j = i; j > 0 && rec.begins[order[j]] < rec.begins[order[j - 1]];
         --j) {
      int t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  int64_t smallest = INT64_MAX, largest = 0;
  for (int i = 0; i < calls; ++i) {
    int64_t begin = rec.begins[order[i]], end = rec.ends[order[i]];
    int64_t expected_begin = i == 0 ? 0 : rec.ends[order[i - 1]];
    if (begin != expected_begin || end <= begin) {
      printf("%s: chunk %d is [%lld, %lld)\n", where, i, (long long)begin,
             (long long)end);
      return 0;
    }
    int64_t expected_chunk = chunk_bodies ? i : -1;
    if (rec.chunks[order[i]] != expected_chunk) {
      printf("%s: chunk %d was told index %lld\n", where, i,
             (long long)rec.chunks[order[i]]);
      return 0;
    }
    smallest = end - begin < smallest ? end - begin : smallest;
    largest = end - begin > largest ? end - begin : largest;
    for (int j = 0; j < i; ++j)
      if (pthread_equal(rec.threads[order[i]], rec.threads[order[j]])) {
        printf("%s: chunks %d and %d ran on one thread\n", where, j, i);
        return 0;
      }
  }
  if (calls > 0 && !pthread_equal(rec.threads[order[0]], pthread_self())) {
    printf("%s: chunk 0 did not run on the calling thread\n", where);
    return 0;
  }
  if (calls > 1 && (largest - smallest > 1 || smallest < g)) {
    printf("%s: chunk sizes from %lld to %lld\n", where, (long long)smallest,
           (long long)largest);
    return 0;
  }
  return 1;
}

static int split_is_right(nnrt_context *ctx, int threads, int64_t n,
                          int64_t grain) {
  return split_is_right_with(ctx, threads, n, grain, 0);
}

static const int64_t sizes[] = {-5, 0,   1,    2,    3,    4,     5,    7,
                                8,  9,   16,   31,   64,   100,   1000, 4097,
                                12, 255, 1024, 8191, 9999, 65537, MAX_N};
static const int64_t grains[] = {-3, 0, 1, 2, 3, 5, 16, 100, 5000, 40000};

/// Every size and grain on one context; returns the number of failures.
static int check_all_splits(nnrt_context *ctx, int threads) {
  int failures = 0;
  for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); ++s)
    for (size_t g = 0; g < sizeof(grains) / sizeof(grains[0]); ++g)
      for (int chunk_bodies = 0; chunk_bodies < 2; ++chunk_bodies)
        failures += !split_is_right_with(ctx, threads, sizes[s], grains[g],
                                         chunk_bodies);
  return failures;
}

static void test_split_with_options(void) {
  for (int threads = 1; threads <= 4; ++threads) {
    nnrt_context *ctx = make_context(threads);
    CHECK(nnrt_context_num_threads(ctx) == threads);
    CHECK(check_all_splits(ctx, threads) == 0);
    nnrt_context_destroy(ctx);
  }
}

static void test_split_with_environment(void) {
  for (int threads = 1; threads <= 4; ++threads) {
    char value[8];
    snprintf(value, sizeof(value), "%d", threads);
    CHECK(setenv("NNRT_NUM_THREADS", value, 1) == 0);
    nnrt_context *ctx = NULL;
    CHECK(nnrt_context_create(NULL, &ctx) == NNRT_OK);
    if (!ctx)
      continue;
    CHECK(nnrt_context_num_threads(ctx) == threads);
    CHECK(check_all_splits(ctx, threads) == 0);
    nnrt_context_destroy(ctx);
  }
  CHECK(unsetenv("NNRT_NUM_THREADS") == 0);
}

static void test_inline_cases(void) {
  // No context: one call on this thread.
  CHECK(split_is_right(NULL, 1, 1000, 1));
  CHECK(split_is_right_with(NULL, 1, 1000, 1, 1));
  // Nothing to do, or no body: no call, no crash.
  nnrt_context *ctx = make_context(4);
  reset_recorder(&rec, 0);
  nnrt_parallel_for(ctx, 0, 1, &rec, record_body);
  nnrt_parallel_for(ctx, -1, 1, &rec, record_body);
  nnrt_parallel_for(NULL, -1, 1, &rec, record_body);
  CHECK(atomic_load(&rec.num_calls) == 0);
  nnrt_parallel_for(ctx, 100, 1, &rec, NULL);
  nnrt_parallel_for(NULL, 100, 1, &rec, NULL);
  nnrt_parallel_for_chunks(ctx, 0, 1, &rec, record_chunk_body);
  nnrt_parallel_for_chunks(ctx, 100, 1, &rec, NULL);
  CHECK(atomic_load(&rec.num_calls) == 0);
  // Huge counts and grains: the chunk arithmetic must not overflow (the
  // bodies below visit nothing but their range).
  CHECK(split_is_right(ctx, 4, 3, INT64_MAX));
  nnrt_context_destroy(ctx);
}

typedef struct range_log {
  _Atomic int calls;
  int64_t begin[4], end[4];
} range_log;

static void log_range(void *closure, int64_t begin, int64_t end) {
  range_log *log = closure;
  int call = atomic_fetch_add(&log->calls, 1);
  if (call < 4) {
    log->begin[call] = begin;
    log->end[call] = end;
  }
}

static void test_huge_ranges(void) {
  nnrt_context *ctx = make_context(3);
  range_log log = {0};
  nnrt_parallel_for(ctx, INT64_MAX, INT64_MAX / 3, &log, log_range);
  CHECK(atomic_load(&log.calls) == 3);
  int64_t total = 0, covered_to = 0;
  for (int i = 0; i < 3 && i < atomic_load(&log.calls); ++i) {
    total += log.end[i] - log.begin[i];
    if (log.end[i] > covered_to)
      covered_to = log.end[i];
  }
  CHECK(total == INT64_MAX);
  CHECK(covered_to == INT64_MAX);
  nnrt_context_destroy(ctx);
}

//===----------------------------------------------------------------------===//
// Nested loops
//===----------------------------------------------------------------------===//

typedef struct inner_record {
  int calls;
  int64_t begin, end, chunk;
  pthread_t thread;
} inner_record;

static void inner_chunk_body(void *closure, int64_t begin, int64_t end,
                             int64_t chunk) {
  inner_record *r = closure;
  ++r->calls;
  r->begin = begin;
  r->end = end;
  r->chunk = chunk;
  r->thread = pthread_self();
}

static void inner_body(void *closure, int64_t begin, int64_t end) {
  inner_chunk_body(closure, begin, end, 0);
}

typedef struct outer_state {
  nnrt_context *ctx;
  _Atomic int outer_iterations;
  _Atomic int inner_inline;
} outer_state;

static void outer_body(void *closure, int64_t begin, int64_t end) {
  outer_state *s = closure;
  for (int64_t i = begin; i < end; ++i) {
    // On this thread's stack: a nested loop that ran elsewhere, or split,
    // shows up as more than one call or another thread.
    // Both kinds of loop; a nested chunk loop runs inline as chunk 0.
    for (int chunk_bodies = 0; chunk_bodies < 2; ++chunk_bodies) {
      inner_record r = {0, -1, -1, -1, pthread_self()};
      if (chunk_bodies)
        nnrt_parallel_for_chunks(s->ctx, 1000, 1, &r, inner_chunk_body);
      else
        nnrt_parallel_for(s->ctx, 1000, 1, &r, inner_body);
      if (r.calls == 1 && r.begin == 0 && r.end == 1000 && r.chunk == 0 &&
          pthread_equal(r.thread, pthread_self()))
        atomic_fetch_add(&s->inner_inline, 1);
    }
    atomic_fetch_add(&s->outer_iterations, 1);
  }
}

static void test_nested(void) {
  nnrt_context *ctx = make_context(4);
  outer_state s = {ctx, 0, 0};
  nnrt_parallel_for(ctx, 8, 1, &s, outer_body);
  CHECK(atomic_load(&s.outer_iterations) == 8);
  CHECK(atomic_load(&s.inner_inline) == 16);
  // Once the outer loop is over, loops are split again.
  CHECK(split_is_right(ctx, 4, 1000, 1));
  nnrt_context_destroy(ctx);
}

//===----------------------------------------------------------------------===//
// Many loops in a row
//===----------------------------------------------------------------------===//

static void add_body(void *closure, int64_t begin, int64_t end) {
  atomic_fetch_add_explicit((_Atomic int64_t *)closure, end - begin,
                            memory_order_relaxed);
}

/// Runs `loops` loops of `n` iterations, each of which must be complete
/// when nnrt_parallel_for returns; every `pause_every` loops (0: never) waits
/// a while first, from nothing to long enough for the workers to fall
/// asleep. Returns the number of loops that were not complete.
static long run_loops(nnrt_context *ctx, long loops, int64_t n,
                      long pause_every) {
  static const long pauses_us[] = {0, 5, 20, 60, 150, 400, 1000, 3000};
  _Atomic int64_t sum = 0;
  long incomplete = 0;
  for (long i = 0; i < loops; ++i) {
    if (pause_every && i % pause_every == 0)
      sleep_us(pauses_us[(i / pause_every) % 8]);
    nnrt_parallel_for(ctx, n, 1, &sum, add_body);
    if (atomic_load_explicit(&sum, memory_order_relaxed) != (i + 1) * n) {
      ++incomplete;
      atomic_store(&sum, (i + 1) * n);
    }
  }
  return incomplete;
}

static void test_back_to_back(void) {
  nnrt_context *ctx = make_context(2);
  CHECK(run_loops(ctx, quick ? 5000 : 100000, 2, 0) == 0);
  CHECK(run_loops(ctx, quick ? 40 : 400, 2, 1) == 0);
  nnrt_context_destroy(ctx);

  // More threads than this machine may have cores.
  ctx = make_context(4);
  CHECK(run_loops(ctx, quick ? 1000 : 20000, 8, 0) == 0);
  CHECK(run_loops(ctx, quick ? 40 : 400, 4, 1) == 0);
  CHECK(run_loops(ctx, quick ? 200 : 2000, 2, 3) == 0);
  nnrt_context_destroy(ctx);
}

/// The scheduler state of thread `tid` of this process ('R' running, 'S'
/// asleep, ...), or 0 where it cannot be read.
static char thread_state(long tid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  char text[512];
  size_t length = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  text[length] = '\0';
  // "tid (name) S ...": the name may hold spaces and parentheses.
  char *name_end = strrchr(text, ')');
  return name_end && name_end[1] == ' ' ? name_end[2] : 0;
}

static void busy_wait_ns(double ns) {
  double end = now_ns() + ns;
  while (now_ns() < end) {
  }
}

/// A worker decides to sleep when its spinning found no loop; a loop handed
/// out just then must still wake it. Measures how long an idle worker takes
/// to fall asleep, then starts loops after random idle times around that
/// moment; a lost wake-up leaves a loop unfinished (the test then hangs and
/// its time limit fails it). The window is nanoseconds wide, so this is a
/// stress test that may miss a broken protocol, not a proof.
static void test_wakeup_race(void) {
  long before[256], after[256];
  int num_before = list_threads(before, 256);
  nnrt_context *ctx = make_context(2);
  _Atomic int64_t sum = 0;
  nnrt_parallel_for(ctx, 2, 1, &sum, add_body);
  int num_after = list_threads(after, 256);
  long worker = 0;
  for (int i = 0; i < num_after; ++i) {
    int known = 0;
    for (int j = 0; j < num_before; ++j)
      known |= after[i] == before[j];
    if (!known)
      worker = after[i];
  }
  double asleep_after = 0;
  int measured = 0;
  for (int round = 0; worker && round < 10; ++round) {
    nnrt_parallel_for(ctx, 2, 1, &sum, add_body);
    double start = now_ns();
    while (thread_state(worker) != 'S' && now_ns() - start < 2e9) {
    }
    if (thread_state(worker) == 'S') {
      asleep_after += now_ns() - start;
      ++measured;
    }
  }
  // Capped at 1 ms (also without a measurement, where /proc is missing) to
  // bound the test's time: on a busy machine one yield may take a scheduler
  // tick, and workers fall asleep only after milliseconds.
  double range = measured ? 2 * asleep_after / measured : 1e6;
  range = range < 1e6 ? range : 1e6;
  uint32_t random = 12345;
  atomic_store(&sum, 0);
  long incomplete = 0, tries = quick ? 100 : 1000;
  for (long i = 0; i < tries; ++i) {
    random = random * 1664525u + 1013904223u;
    busy_wait_ns(range * (double)(random >> 8) / (double)(1u << 24));
    nnrt_parallel_for(ctx, 2, 1, &sum, add_body);
    if (atomic_load(&sum) != 2 * (i + 1)) {
      ++incomplete;
      atomic_store(&sum, 2 * (i + 1));
    }
  }
  CHECK(incomplete == 0);
  if (worker)
    CHECK(measured > 0); // the workers do fall asleep when idle
  nnrt_context_destroy(ctx);
}

//===----------------------------------------------------------------------===//
// Two contexts on two threads
//===----------------------------------------------------------------------===//

typedef struct user_thread {
  int32_t threads;
  long loops;
  long failures;
} user_thread;

static void *use_own_context(void *arg) {
  user_thread *u = arg;
  nnrt_context *ctx = make_context(u->threads);
  u->failures = run_loops(ctx, u->loops, 64, 0);
  u->failures += run_loops(ctx, u->loops / 100, 3, 1);
  nnrt_context_destroy(ctx);
  return NULL;
}

static void test_two_contexts(void) {
  int before = count_threads();
  user_thread users[2] = {{2, quick ? 2000 : 30000, -1},
                          {3, quick ? 2000 : 30000, -1}};
  pthread_t threads[2];
  int started = 0;
  for (int i = 0; i < 2; ++i)
    started +=
        pthread_create(&threads[i], NULL, use_own_context, &users[i]) == 0;
  CHECK(started == 2);
  for (int i = 0; i < started; ++i)
    pthread_join(threads[i], NULL);
  CHECK(users[0].failures == 0);
  CHECK(users[1].failures == 0);
  if (before > 0)
    CHECK(threads_become(before));
}

//===----------------------------------------------------------------------===//
// Workers: started lazily, joined by destroy, fewer when refused
//===----------------------------------------------------------------------===//

static void test_worker_lifetime(void) {
  int before = count_threads();
  if (before < 0) {
    printf("note: /proc/self/task is unreadable; thread counts not checked\n");
    return;
  }
  nnrt_context *ctx = make_context(4);
  CHECK(count_threads() == before); // nothing started by create
  CHECK(split_is_right(ctx, 4, 1, 1));
  CHECK(count_threads() == before); // nor by a loop that is not split
  CHECK(split_is_right(ctx, 4, 4, 1));
  CHECK(count_threads() == before + 3);
  CHECK(split_is_right(ctx, 4, 2, 1));
  CHECK(count_threads() == before + 3); // started once
  nnrt_context_destroy(ctx);
  CHECK(threads_become(before));

  // One thread: never a worker.
  ctx = make_context(1);
  CHECK(split_is_right(ctx, 1, 1000, 1));
  CHECK(count_threads() == before);
  nnrt_context_destroy(ctx);

  // Destroyed while the workers are asleep, and right after a loop, while
  // they spin.
  ctx = make_context(3);
  CHECK(split_is_right(ctx, 3, 30, 1));
  sleep_us(20000);
  nnrt_context_destroy(ctx);
  CHECK(threads_become(before));
  for (int i = 0; i < 20; ++i) {
    ctx = make_context(3);
    CHECK(split_is_right(ctx, 3, 30, 1));
    nnrt_context_destroy(ctx);
  }
  CHECK(threads_become(before));
}

static void test_no_allocation_after_start(void) {
  nnrt_context *ctx = make_context(3);
  _Atomic int64_t sum = 0;
  long at_create = atomic_load(&num_allocations);
  nnrt_parallel_for(ctx, 3, 1, &sum, add_body);
  long at_start = atomic_load(&num_allocations);
  CHECK(at_start > at_create); // the wrappers see libnnrt's allocations
  CHECK(run_loops(ctx, 1000, 3, 100) == 0);
  outer_state s = {ctx, 0, 0};
  nnrt_parallel_for(ctx, 6, 1, &s, outer_body);
  CHECK(atomic_load(&num_allocations) == at_start);
  nnrt_context_destroy(ctx);
}

/// The address space this process has mapped, in bytes, or 0 if unknown.
static size_t mapped_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f)
    return 0;
  unsigned long pages = 0;
  int read = fscanf(f, "%lu", &pages);
  fclose(f);
  return read == 1 ? pages * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

static void test_refused_threads(void) {
  // Thread stacks are mapped when a thread is created: with the address
  // space limited to a few stacks more than is mapped now, pthread_create
  // fails after a few workers of 64.
  pthread_attr_t attr;
  size_t stack = 0;
  if (pthread_attr_init(&attr) == 0) {
    pthread_attr_getstacksize(&attr, &stack);
    pthread_attr_destroy(&attr);
  }
  struct rlimit old;
  size_t mapped = mapped_bytes();
  int before = count_threads();
  if (stack == 0 || mapped == 0 || before < 0 ||
      getrlimit(RLIMIT_AS, &old) != 0) {
    printf("note: cannot limit the address space; refused threads not "
           "tested\n");
    return;
  }
  nnrt_context *ctx = make_context(64);
  struct rlimit limited = old;
  limited.rlim_cur = mapped + 3 * stack + stack / 2;
  if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur < limited.rlim_cur) {
    printf("note: the address space is already limited; refused threads not "
           "tested\n");
    nnrt_context_destroy(ctx);
    return;
  }
  CHECK(setrlimit(RLIMIT_AS, &limited) == 0);
  reset_recorder(&rec, 1000);
  nnrt_parallel_for(ctx, 1000, 1, &rec, record_body);
  CHECK(setrlimit(RLIMIT_AS, &old) == 0);
  int workers = count_threads() - before;
  CHECK(workers >= 0 && workers < 63);
  CHECK(atomic_load(&rec.num_calls) == workers + 1);
  // The loops are split among the threads that exist, correctly.
  CHECK(split_is_right(ctx, workers + 1, 1000, 1));
  CHECK(split_is_right(ctx, workers + 1, 100003, 7));
  CHECK(run_loops(ctx, 1000, 64, 0) == 0);
  nnrt_context_destroy(ctx);
  CHECK(threads_become(before));
}

//===----------------------------------------------------------------------===//
// Benchmark
//===----------------------------------------------------------------------===//

static void empty_body(void *closure, int64_t begin, int64_t end) {
  (void)closure;
  (void)begin;
  (void)end;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void sort_doubles(double *values, int count) {
  qsort(values, (size_t)count, sizeof(double), compare_doubles);
}

/// The cost of a loop whose body does nothing, split into one chunk per
/// thread: with the workers awake (loops back to back, each timed alone, so
/// that the percentiles show what other programs on the machine did not
/// disturb; the clock reads add some 20-50 ns), and after an idle moment
/// long enough for the workers to fall asleep.
static void bench(void) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  printf("%ld cores\n", cores);
  enum { LOOPS = 200000, IDLE = 51 };
  static double times[LOOPS];
  for (int32_t threads = 1; threads <= 8; threads *= 2) {
    if (threads > 1 && threads > cores)
      break;
    nnrt_context *ctx = make_context(threads);
    for (long i = 0; i < 10000; ++i)
      nnrt_parallel_for(ctx, threads, 1, NULL, empty_body);
    double all_start = now_ns();
    for (int i = 0; i < LOOPS; ++i) {
      double start = now_ns();
      nnrt_parallel_for(ctx, threads, 1, NULL, empty_body);
      times[i] = now_ns() - start;
    }
    double mean = (now_ns() - all_start) / LOOPS;
    sort_doubles(times, LOOPS);
    double asleep[IDLE];
    for (int i = 0; i < IDLE; ++i) {
      sleep_us(5000);
      double start = now_ns();
      nnrt_parallel_for(ctx, threads, 1, NULL, empty_body);
      asleep[i] = now_ns() - start;
    }
    sort_doubles(asleep, IDLE);
    printf("%d threads: back to back %.0f / %.0f / %.0f ns per loop (10th "
           "percentile / median / 90th), mean %.0f ns; after 5 ms idle %.1f "
           "us (median)\n",
           (int)threads, times[LOOPS / 10], times[LOOPS / 2],
           times[LOOPS * 9 / 10], mean, asleep[IDLE / 2] / 1000.0);
    nnrt_context_destroy(ctx);
  }
}

/// What each chunk's thread may run on: its affinity's core count, and its
/// core when that affinity is one core (else -1).
typedef struct {
  int cores[8];
  int core[8];
} placement;

static void record_placement(void *closure, int64_t begin, int64_t end,
                             int64_t chunk) {
  (void)begin, (void)end;
  placement *p = closure;
  cpu_set_t set;
  if (chunk < 0 || chunk >= 8 || sched_getaffinity(0, sizeof set, &set) != 0)
    return;
  p->cores[chunk] = CPU_COUNT(&set);
  p->core[chunk] = -1;
  for (int cpu = 0; cpu < CPU_SETSIZE && p->cores[chunk] == 1; ++cpu)
    if (CPU_ISSET(cpu, &set))
      p->core[chunk] = cpu;
}

/// Runs one loop of `threads` chunks on a new context; returns its placement.
static placement place_chunks(int32_t threads) {
  placement p;
  memset(&p, 0, sizeof(p));
  nnrt_context *ctx = make_context(threads);
  nnrt_parallel_for_chunks(ctx, threads, 1, &p, record_placement);
  nnrt_context_destroy(ctx);
  return p;
}

/// Workers are pinned to distinct cores other than the caller's
/// (NNRT_PIN_THREADS unset, "", "1"), not pinned with NNRT_PIN_THREADS=0 or
/// when there are more workers than other cores; other values are errors.
static void test_pinning(void) {
  cpu_set_t allowed;
  CHECK(sched_getaffinity(0, sizeof allowed, &allowed) == 0);
  int cores = CPU_COUNT(&allowed);
  static const char *const pinned_values[] = {NULL, "", "1"};
  for (size_t v = 0; v < 3; ++v) {
    if (pinned_values[v])
      CHECK(setenv("NNRT_PIN_THREADS", pinned_values[v], 1) == 0);
    else
      CHECK(unsetenv("NNRT_PIN_THREADS") == 0);
    // The caller is never pinned.
    placement p = place_chunks(2);
    CHECK(p.cores[0] == cores);
    if (cores >= 2) {
      CHECK(p.cores[1] == 1);
      CHECK(p.core[1] >= 0 && CPU_ISSET(p.core[1], &allowed));
    } else {
      CHECK(p.cores[1] == cores);
    }
    if (cores >= 4) {
      // Three workers on three distinct cores.
      p = place_chunks(4);
      CHECK(p.cores[1] == 1 && p.cores[2] == 1 && p.cores[3] == 1);
      CHECK(p.core[1] != p.core[2] && p.core[2] != p.core[3] &&
            p.core[1] != p.core[3]);
    }
  }
  // More workers than the other cores: none is pinned.
  placement crowded = place_chunks(cores + 1);
  for (int chunk = 1; chunk <= cores && chunk < 8; ++chunk)
    CHECK(crowded.cores[chunk] == cores);

  CHECK(setenv("NNRT_PIN_THREADS", "0", 1) == 0);
  placement p = place_chunks(2);
  CHECK(p.cores[0] == cores && p.cores[1] == cores);

  static const char *const bad[] = {"2", "yes", " 1", "1 ", "01", "-1"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    CHECK(setenv("NNRT_PIN_THREADS", bad[i], 1) == 0);
    nnrt_context *ctx = NULL;
    CHECK(nnrt_context_create(NULL, &ctx) == NNRT_ERROR_INVALID_ARGUMENT);
    CHECK(ctx == NULL);
  }
  CHECK(setenv("NNRT_PIN_THREADS", "yes", 1) == 0);
  nnrt_context *ctx = NULL;
  CHECK(nnrt_context_create(NULL, &ctx) == NNRT_ERROR_INVALID_ARGUMENT);
  CHECK_STR(nnrt_last_create_error(), "NNRT_PIN_THREADS='yes' is not 0 or 1");
  CHECK(unsetenv("NNRT_PIN_THREADS") == 0);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
    bench();
    return 0;
  }
  quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  CHECK(unsetenv("NNRT_NUM_THREADS") == 0);
  test_split_with_options();
  test_split_with_environment();
  test_inline_cases();
  test_huge_ranges();
  test_nested();
  test_back_to_back();
  test_wakeup_race();
  test_two_contexts();
  test_worker_lifetime();
  test_no_allocation_after_start();
  test_pinning();
  if (!quick)
    test_refused_threads();
  return check_report();
}
