//===- train.c - trains a Fashion-MNIST classifier compiled by nncc -------===//
//
// Trains a model compiled with `nncc --train` (make_models.py's mlp.onnx or
// lenet.onnx, or any model taking f32 [B, 1, 28, 28] images, or [B, 784],
// and returning [B, 10] logits) on Fashion-MNIST, in C, with the generated
// <model>_train_step, and writes the trained model as ONNX.
//
//   nncc mlp.onnx --train --optimizer=adam --lr=0.001 -o mlp.o --name mlp
//   cc -DMODEL=mlp -I<dir of mlp.h> -Iruntime/include train.c mlp.o
//      -Lbuild/runtime -lnnrt -lm -lpthread -o train_mlp
//   train_mlp --data-dir DIR --out-dir DIR [options]      (--help lists them)
//
// MODEL is the --name given to nncc: the program includes MODEL.h (or
// MODEL_HEADER when defined) and calls MODEL_train_step and the like through
// the model_* macros below, so the same source builds one trainer per model.
// The batch size is the model's, fixed at compile time.
//
// What it does (train_torch.py does exactly the same in PyTorch):
//  - reads the decompressed idx files train-images-idx3-ubyte,
//    train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte
//    from --data-dir; pixels become (float)p / 255.0f, nothing else;
//  - holds out the last --val (5,000) of the 60,000 training images for
//    validation; trains on the first --limit of the others (default all);
//  - each epoch, puts the training images in a new random order: the
//    identity permutation shuffled by Fisher-Yates (for i = n-1 down to 1,
//    swap i with j = r % (i + 1)), r the next output of splitmix64 seeded
//    with --seed (one stream over the whole run); the last partial batch is
//    dropped;
//  - with --augment, each training image is randomly shifted and flipped:
//    one draw r per image, in batch order, from a second splitmix64 stream
//    seeded with ~seed: ox = r % 5, oy = r / 5 % 5, flip = r / 25 % 2; the
//    image is zero-padded by 2 pixels, cropped to 28x28 at (oy, ox) and,
//    when flip is 1, mirrored left-right (torchvision's RandomCrop(28, 2)
//    then RandomHorizontalFlip);
//  - after each epoch evaluates the validation and test sets with
//    <model>_eval in batches (the last one padded with zero images, whose
//    rows are ignored), keeps the epoch with the best validation accuracy
//    in a checkpoint (<out>/best.ckpt) and stops early after --patience
//    epochs without improvement;
//  - at the end loads the best checkpoint, evaluates the test set again and
//    writes <out>/trained.onnx (<model>_save), <out>/test-predictions.txt
//    (one predicted class per test image), <out>/loss.csv (step,epoch,loss:
//    every train step's loss) and <out>/metrics.csv (one line per epoch).
//
// Exits 1 with a message on any error (bad arguments, unreadable or
// malformed data, a failed nnrt call with the context's last error).
//
//===----------------------------------------------------------------------===//

#define _POSIX_C_SOURCE 200809L // clock_gettime, in fashion_mnist.h

#define STRINGIFY2(x) #x
#define STRINGIFY(x) STRINGIFY2(x)
#define PASTE2(a, b) a##_##b
#define PASTE(a, b) PASTE2(a, b)

#ifndef MODEL
#error "define MODEL as the model's --name, e.g. cc -DMODEL=mlp"
#endif
#ifndef MODEL_HEADER
#define MODEL_HEADER STRINGIFY(MODEL.h)
#endif
#include MODEL_HEADER

#include "fashion_mnist.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The generated functions used here, under model-independent names.
typedef PASTE(MODEL, ctx) model_ctx;
#define model_create PASTE(MODEL, create)
#define model_destroy PASTE(MODEL, destroy)
#define model_runtime_context PASTE(MODEL, runtime_context)
#define model_train_step PASTE(MODEL, train_step)
#define model_train_step_input_info PASTE(MODEL, train_step_input_info)
#define model_eval PASTE(MODEL, eval)
#define model_eval_output_info PASTE(MODEL, eval_output_info)
#define model_set_learning_rate PASTE(MODEL, set_learning_rate)
#define model_save PASTE(MODEL, save)
#define model_save_checkpoint PASTE(MODEL, save_checkpoint)
#define model_load_checkpoint PASTE(MODEL, load_checkpoint)

enum { PAD = 2 }; // --augment: zero padding of the random crop

static const char *program = "train";

/// Command-line options; train_torch.py takes the same.
typedef struct options {
  const char *data_dir;
  const char *out_dir;
  long epochs;
  double lr;
  uint64_t seed;
  long val;
  long limit; // 0: every training image
  int augment;
  long patience; // 0: no early stopping
  long log_every;
} options;

//===----------------------------------------------------------------------===//
// splitmix64 (train_torch.py's SplitMix64 reproduces it)
//===----------------------------------------------------------------------===//

typedef struct splitmix64 {
  uint64_t state;
} splitmix64;

/// The next output of Vigna's splitmix64.
static uint64_t splitmix64_next(splitmix64 *rng) {
  uint64_t z = (rng->state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/// Sets `perm` to the identity, then shuffles it (Fisher-Yates). The modulo
/// has a bias of at most n / 2^64: none that matters, and trivial to
/// reproduce.
static void shuffle(size_t *perm, size_t n, splitmix64 *rng) {
  for (size_t i = 0; i < n; ++i)
    perm[i] = i;
  for (size_t i = n; i > 1; --i) {
    size_t j = (size_t)(splitmix64_next(rng) % (uint64_t)i);
    size_t t = perm[i - 1];
    perm[i - 1] = perm[j];
    perm[j] = t;
  }
}

//===----------------------------------------------------------------------===//
// Data
//===----------------------------------------------------------------------===//

/// Reads <dir>/<split>-images-idx3-ubyte and <dir>/<split>-labels-idx1-ubyte
/// into `out`. Returns 0 on success; prints an error and returns -1.
static int read_split(const char *dir, const char *split, dataset *out) {
  char images_path[4096], labels_path[4096];
  snprintf(images_path, sizeof images_path, "%s/%s-images-idx3-ubyte", dir,
           split);
  snprintf(labels_path, sizeof labels_path, "%s/%s-labels-idx1-ubyte", dir,
           split);
  return read_dataset(program, images_path, labels_path, out);
}

/// Writes image `src` to `dst` as floats p / 255 (train_torch.py: the same).
static void normalize(const unsigned char *src, float *dst) {
  for (size_t j = 0; j < IMAGE_SIZE; ++j)
    dst[j] = (float)src[j] / 255.0f;
}

/// Writes image `src` to `dst` normalized, shifted and flipped by one draw of
/// `rng` (see the file comment).
static void augment(const unsigned char *src, float *dst, splitmix64 *rng) {
  uint64_t r = splitmix64_next(rng);
  int ox = (int)(r % 5), oy = (int)(r / 5 % 5), flip = (int)(r / 25 % 2);
  for (int y = 0; y < IMAGE_ROWS; ++y) {
    for (int x = 0; x < IMAGE_COLS; ++x) {
      int sy = y + oy - PAD;
      int sx = (flip ? IMAGE_COLS - 1 - x : x) + ox - PAD;
      int inside = sy >= 0 && sy < IMAGE_ROWS && sx >= 0 && sx < IMAGE_COLS;
      dst[y * IMAGE_COLS + x] =
          inside ? (float)src[sy * IMAGE_COLS + sx] / 255.0f : 0.0f;
    }
  }
}

//===----------------------------------------------------------------------===//
// Training and evaluation
//===----------------------------------------------------------------------===//

/// Prints a failed nnrt call with the context's last error.
static void report_failure(const char *call, nnrt_status status,
                           model_ctx *ctx) {
  report_nnrt_failure(program, call, status, model_runtime_context(ctx));
}

/// The buffers of one batch.
typedef struct batch {
  size_t size; // images per batch, fixed by the model
  float *images;
  int64_t *labels;
  float *logits;
} batch;

/// Cross-entropy of one row of logits, in double: logsumexp - logit[label].
static double cross_entropy(const float *logits, int label) {
  double max = logits[0];
  for (int c = 1; c < NUM_CLASSES; ++c)
    max = logits[c] > max ? logits[c] : max;
  double sum = 0.0;
  for (int c = 0; c < NUM_CLASSES; ++c)
    sum += exp(logits[c] - max);
  return max + log(sum) - logits[label];
}

/// Evaluates images [begin, begin + count) of `d` with model_eval in batches;
/// the last batch is filled up with zero images (label 0) whose rows are
/// ignored. Sets the mean loss and the number of correct predictions, and
/// when `predictions` is non-NULL the predicted class of each image. The
/// loss of a full batch is model_eval's (the mean over the batch); that of
/// the real rows of the padded batch is computed here from the logits.
/// Returns 0 on success; prints an error and returns -1.
static int evaluate(model_ctx *ctx, const dataset *d, size_t begin,
                    size_t count, batch *b, double *mean_loss, size_t *correct,
                    unsigned char *predictions) {
  double loss_sum = 0.0;
  *correct = 0;
  for (size_t start = 0; start < count; start += b->size) {
    size_t rows = count - start < b->size ? count - start : b->size;
    for (size_t i = 0; i < b->size; ++i) {
      if (i < rows) {
        size_t k = begin + start + i;
        normalize(d->pixels + k * IMAGE_SIZE, b->images + i * IMAGE_SIZE);
        b->labels[i] = d->labels[k];
      } else {
        memset(b->images + i * IMAGE_SIZE, 0, IMAGE_SIZE * sizeof(float));
        b->labels[i] = 0;
      }
    }
    float loss = 0.0f;
    nnrt_status status =
        model_eval(ctx, b->images, b->labels, b->logits, &loss);
    if (status != NNRT_OK) {
      report_failure(STRINGIFY(model_eval), status, ctx);
      return -1;
    }
    if (rows == b->size)
      loss_sum += (double)loss * (double)rows;
    for (size_t i = 0; i < rows; ++i) {
      const float *row = b->logits + i * NUM_CLASSES;
      int best = 0;
      for (int c = 0; c < NUM_CLASSES; ++c) {
        if (!isfinite(row[c])) {
          fprintf(stderr,
                  "%s: image %zu: logit %d is %g, not a finite number "
                  "(training diverged?)\n",
                  program, begin + start + i, c, (double)row[c]);
          return -1;
        }
        if (row[c] > row[best]) // first maximum, like torch.argmax
          best = c;
      }
      if (rows < b->size)
        loss_sum += cross_entropy(row, (int)b->labels[i]);
      *correct += best == b->labels[i];
      if (predictions)
        predictions[start + i] = (unsigned char)best;
    }
  }
  *mean_loss = loss_sum / (double)count;
  return 0;
}

/// Closes `f`, which was written to `path`; reports a write error.
static int close_output(FILE *f, const char *path) {
  int failed = ferror(f);
  if (fclose(f) != 0 || failed) {
    fprintf(stderr, "%s: error writing '%s'\n", program, path);
    return -1;
  }
  return 0;
}

static FILE *open_output(const char *dir, const char *name, char *path,
                         size_t path_size) {
  snprintf(path, path_size, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f)
    fprintf(stderr, "%s: cannot create '%s': %s\n", program, path,
            strerror(errno));
  return f;
}

static double percent(size_t correct, size_t total) {
  return 100.0 * (double)correct / (double)total;
}

/// Trains as the file comment says. Returns the exit code.
static int run(const options *opt) {
  int exit_code = 1;
  dataset train = {0}, test = {0};
  model_ctx *ctx = NULL;
  batch b = {0};
  size_t *perm = NULL;
  unsigned char *predictions = NULL;
  FILE *loss_csv = NULL, *metrics_csv = NULL;
  char loss_path[4096], metrics_path[4096], ckpt_path[4096], onnx_path[4096],
      pred_path[4096];
  snprintf(ckpt_path, sizeof ckpt_path, "%s/best.ckpt", opt->out_dir);
  snprintf(onnx_path, sizeof onnx_path, "%s/trained.onnx", opt->out_dir);

  // The model's batch: image [B, 1, 28, 28] (or [B, 784]), labels [B],
  // logits [B, 10].
  const nnrt_tensor_info *image_info = model_train_step_input_info(0);
  const nnrt_tensor_info *logits_info = model_eval_output_info(0);
  b.size = image_info->rank >= 2 ? (size_t)image_info->shape[0] : 0;
  if (b.size == 0 ||
      image_info->num_elements != (int64_t)(b.size * IMAGE_SIZE) ||
      logits_info->num_elements != (int64_t)(b.size * NUM_CLASSES)) {
    fprintf(stderr,
            "%s: the model must take [B, 1, 28, 28] images and return [B, "
            "10] logits; its input '%s' has %lld elements, its output '%s' "
            "%lld\n",
            program, image_info->name, (long long)image_info->num_elements,
            logits_info->name, (long long)logits_info->num_elements);
    return 1;
  }

  if (read_split(opt->data_dir, "train", &train) != 0 ||
      read_split(opt->data_dir, "t10k", &test) != 0)
    goto done;
  if ((size_t)opt->val >= train.count) {
    fprintf(stderr, "%s: --val %ld leaves no training images of %zu\n", program,
            opt->val, train.count);
    goto done;
  }
  size_t val_begin = train.count - (size_t)opt->val;
  size_t num_train = val_begin;
  if (opt->limit > 0 && (size_t)opt->limit < num_train)
    num_train = (size_t)opt->limit;
  size_t steps_per_epoch = num_train / b.size;
  if (steps_per_epoch == 0) {
    fprintf(stderr, "%s: %zu training images make no batch of %zu\n", program,
            num_train, b.size);
    goto done;
  }
  printf("%s: %zu training images (%zu steps of %zu per epoch, %zu dropped), "
         "%ld validation, %zu test\n",
         STRINGIFY(MODEL), num_train, steps_per_epoch, b.size,
         num_train - steps_per_epoch * b.size, opt->val, test.count);

  b.images = malloc(b.size * IMAGE_SIZE * sizeof *b.images);
  b.labels = malloc(b.size * sizeof *b.labels);
  b.logits = malloc(b.size * NUM_CLASSES * sizeof *b.logits);
  perm = malloc(num_train * sizeof *perm);
  predictions = malloc(test.count);
  if (!b.images || !b.labels || !b.logits || !perm || !predictions) {
    fprintf(stderr, "%s: out of memory\n", program);
    goto done;
  }

  nnrt_status status = model_create(NULL, &ctx);
  if (status != NNRT_OK) {
    fprintf(stderr, "%s: %s failed: %s\n", program, STRINGIFY(model_create),
            nnrt_last_create_error());
    goto done;
  }
  // The learning rate compiled in (nncc --lr) is only the initial value.
  float lr = (float)opt->lr;
  status = model_set_learning_rate(ctx, &lr);
  if (status != NNRT_OK) {
    report_failure(STRINGIFY(model_set_learning_rate), status, ctx);
    goto done;
  }

  loss_csv = open_output(opt->out_dir, "loss.csv", loss_path, sizeof loss_path);
  if (!loss_csv)
    goto done;
  metrics_csv = open_output(opt->out_dir, "metrics.csv", metrics_path,
                            sizeof metrics_path);
  if (!metrics_csv)
    goto done;
  fprintf(loss_csv, "step,epoch,loss\n");
  fprintf(metrics_csv, "epoch,train_loss,val_loss,val_accuracy,test_accuracy,"
                       "train_seconds,samples_per_second\n");

  splitmix64 order_rng = {opt->seed}, augment_rng = {~opt->seed};
  long best_epoch = 0, since_best = 0;
  size_t best_val_correct = 0, best_test_correct = 0;
  long step = 0;
  double train_seconds = 0.0;
  for (long epoch = 1; epoch <= opt->epochs; ++epoch) {
    shuffle(perm, num_train, &order_rng);
    double epoch_loss = 0.0, window_loss = 0.0;
    long window_steps = 0;
    double epoch_start = now_seconds(), window_start = epoch_start;
    for (size_t s = 0; s < steps_per_epoch; ++s) {
      for (size_t i = 0; i < b.size; ++i) {
        size_t k = perm[s * b.size + i];
        const unsigned char *src = train.pixels + k * IMAGE_SIZE;
        float *dst = b.images + i * IMAGE_SIZE;
        if (opt->augment)
          augment(src, dst, &augment_rng);
        else
          normalize(src, dst);
        b.labels[i] = train.labels[k];
      }
      float loss = 0.0f;
      status = model_train_step(ctx, b.images, b.labels, &loss);
      if (status != NNRT_OK) {
        char call[96];
        snprintf(call, sizeof call, "%s (step %ld)",
                 STRINGIFY(model_train_step), step + 1);
        report_failure(call, status, ctx);
        goto done;
      }
      if (!isfinite(loss)) {
        fprintf(stderr, "%s: step %ld: the loss is %g (training diverged)\n",
                program, step + 1, (double)loss);
        goto done;
      }
      ++step;
      fprintf(loss_csv, "%ld,%ld,%.9g\n", step, epoch, (double)loss);
      epoch_loss += loss;
      window_loss += loss;
      ++window_steps;
      if ((long)(s + 1) % opt->log_every == 0 || s + 1 == steps_per_epoch) {
        double now = now_seconds();
        printf("epoch %ld/%ld step %zu/%zu: %.0f samples/s, loss %.4f\n", epoch,
               opt->epochs, s + 1, steps_per_epoch,
               (double)(window_steps * (long)b.size) / (now - window_start),
               window_loss / (double)window_steps);
        fflush(stdout);
        window_loss = 0.0;
        window_steps = 0;
        window_start = now;
      }
    }
    double epoch_seconds = now_seconds() - epoch_start;
    train_seconds += epoch_seconds;

    double val_loss, test_loss;
    size_t val_correct, test_correct;
    if (evaluate(ctx, &train, val_begin, (size_t)opt->val, &b, &val_loss,
                 &val_correct, NULL) != 0 ||
        evaluate(ctx, &test, 0, test.count, &b, &test_loss, &test_correct,
                 NULL) != 0)
      goto done;
    double samples_per_second =
        (double)(steps_per_epoch * b.size) / epoch_seconds;
    int improved = best_epoch == 0 || val_correct > best_val_correct;
    printf("epoch %ld/%ld: train loss %.4f, val loss %.4f, val accuracy "
           "%.2f%%, test accuracy %.2f%%, %.1f s (%.0f samples/s)%s\n",
           epoch, opt->epochs, epoch_loss / (double)steps_per_epoch, val_loss,
           percent(val_correct, (size_t)opt->val),
           percent(test_correct, test.count), epoch_seconds, samples_per_second,
           improved ? ", best so far" : "");
    fflush(stdout);
    fprintf(metrics_csv, "%ld,%.6f,%.6f,%.4f,%.4f,%.3f,%.1f\n", epoch,
            epoch_loss / (double)steps_per_epoch, val_loss,
            percent(val_correct, (size_t)opt->val),
            percent(test_correct, test.count), epoch_seconds,
            samples_per_second);

    if (improved) {
      best_epoch = epoch;
      best_val_correct = val_correct;
      best_test_correct = test_correct;
      since_best = 0;
      status = model_save_checkpoint(ctx, ckpt_path);
      if (status != NNRT_OK) {
        report_failure(STRINGIFY(model_save_checkpoint), status, ctx);
        goto done;
      }
    } else if (opt->patience > 0 && ++since_best >= opt->patience) {
      printf("early stop: no better validation accuracy in %ld epoch%s\n",
             since_best, since_best == 1 ? "" : "s");
      break;
    }
  }

  // Back to the best epoch's weights (and optimizer state).
  status = model_load_checkpoint(ctx, ckpt_path);
  if (status != NNRT_OK) {
    report_failure(STRINGIFY(model_load_checkpoint), status, ctx);
    goto done;
  }
  double test_loss;
  size_t test_correct;
  if (evaluate(ctx, &test, 0, test.count, &b, &test_loss, &test_correct,
               predictions) != 0)
    goto done;
  status = model_save(ctx, onnx_path);
  if (status != NNRT_OK) {
    report_failure(STRINGIFY(model_save), status, ctx);
    goto done;
  }
  FILE *pred_file = open_output(opt->out_dir, "test-predictions.txt", pred_path,
                                sizeof pred_path);
  if (!pred_file)
    goto done;
  for (size_t i = 0; i < test.count; ++i)
    fprintf(pred_file, "%u\n", (unsigned)predictions[i]);
  if (close_output(pred_file, pred_path) != 0)
    goto done;
  int closed = close_output(loss_csv, loss_path) == 0;
  closed &= close_output(metrics_csv, metrics_path) == 0;
  loss_csv = metrics_csv = NULL;
  if (!closed)
    goto done;

  printf("best epoch %ld: validation accuracy %.2f%%, test accuracy %.2f%%\n",
         best_epoch, percent(best_val_correct, (size_t)opt->val),
         percent(best_test_correct, test.count));
  printf("final test accuracy: %zu / %zu = %.2f%% (test loss %.4f)\n",
         test_correct, test.count, percent(test_correct, test.count),
         test_loss);
  printf("training time: %.1f s, %.0f samples/s\n", train_seconds,
         (double)(step * (long)b.size) / train_seconds);
  printf("wrote %s, %s, %s, %s\n", onnx_path, pred_path, loss_path,
         metrics_path);
  exit_code = 0;

done:
  if (loss_csv && close_output(loss_csv, loss_path) != 0)
    exit_code = 1;
  if (metrics_csv && close_output(metrics_csv, metrics_path) != 0)
    exit_code = 1;
  model_destroy(ctx);
  free(predictions);
  free(perm);
  free(b.logits);
  free(b.labels);
  free(b.images);
  free(test.labels);
  free(test.pixels);
  free(train.labels);
  free(train.pixels);
  return exit_code;
}

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

static void usage(FILE *out) {
  fprintf(out,
          "usage: %s --data-dir DIR --out-dir DIR [options]\n"
          "Trains nncc's %s on Fashion-MNIST: the decompressed idx files "
          "in --data-dir,\nresults into --out-dir (an existing "
          "directory).\n"
          "  --epochs N      epochs (default 3)\n"
          "  --lr F          Adam's learning rate (default 0.001)\n"
          "  --seed S        seed of the data order and augmentation (default "
          "0)\n"
          "  --val N         validation images: the last N of the training "
          "set (default 5000)\n"
          "  --limit N       train on the first N other training images only "
          "(default: all)\n"
          "  --augment       random 2-pixel shifts and horizontal flips\n"
          "  --patience P    stop after P epochs without a better validation "
          "accuracy (default 0: never)\n"
          "  --log-every K   progress line every K steps (default 100)\n",
          program, STRINGIFY(MODEL));
}

/// Parses a non-negative decimal integer of at most `max`; -1 on error.
static long parse_count(const char *text, long max) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno || end == text || *end || value < 0 || value > max)
    return -1;
  return value;
}

int main(int argc, char **argv) {
  if (argc > 0 && argv[0] && *argv[0])
    program = argv[0];
  options opt = {NULL, NULL, 3, 1e-3, 0, 5000, 0, 0, 0, 100};
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
      usage(stdout);
      return 0;
    }
    if (!strcmp(arg, "--augment")) {
      opt.augment = 1;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "%s: unknown option or missing value: '%s'\n", program,
              arg);
      usage(stderr);
      return 1;
    }
    const char *value = argv[++i];
    long n = 0;
    if (!strcmp(arg, "--data-dir")) {
      opt.data_dir = value;
    } else if (!strcmp(arg, "--out-dir")) {
      opt.out_dir = value;
    } else if (!strcmp(arg, "--lr")) {
      char *end;
      errno = 0;
      opt.lr = strtod(value, &end);
      if (errno || end == value || *end || !(opt.lr > 0.0)) {
        fprintf(stderr, "%s: --lr: '%s' is not a positive number\n", program,
                value);
        return 1;
      }
    } else if (!strcmp(arg, "--seed")) {
      char *end;
      errno = 0;
      opt.seed = strtoull(value, &end, 10);
      if (errno || end == value || *end || value[0] == '-') {
        fprintf(stderr, "%s: --seed: '%s' is not an unsigned 64-bit integer\n",
                program, value);
        return 1;
      }
    } else if (!strcmp(arg, "--epochs") || !strcmp(arg, "--val") ||
               !strcmp(arg, "--limit") || !strcmp(arg, "--patience") ||
               !strcmp(arg, "--log-every")) {
      n = parse_count(value, 1L << 30);
      int positive = !strcmp(arg, "--epochs") || !strcmp(arg, "--val") ||
                     !strcmp(arg, "--log-every");
      if (n < 0 || (positive && n == 0)) {
        fprintf(stderr, "%s: %s: '%s' is not a %s integer\n", program, arg,
                value, positive ? "positive" : "non-negative");
        return 1;
      }
      if (!strcmp(arg, "--epochs"))
        opt.epochs = n;
      else if (!strcmp(arg, "--val"))
        opt.val = n;
      else if (!strcmp(arg, "--limit"))
        opt.limit = n;
      else if (!strcmp(arg, "--patience"))
        opt.patience = n;
      else
        opt.log_every = n;
    } else {
      fprintf(stderr, "%s: unknown option '%s'\n", program, arg);
      usage(stderr);
      return 1;
    }
  }
  if (!opt.data_dir || !opt.out_dir) {
    fprintf(stderr, "%s: --data-dir and --out-dir are required\n", program);
    usage(stderr);
    return 1;
  }
  // The file names are built in buffers of 4096 bytes.
  if (strlen(opt.data_dir) > 2048 || strlen(opt.out_dir) > 2048) {
    fprintf(stderr, "%s: the --data-dir or --out-dir path is too long\n",
            program);
    return 1;
  }
  return run(&opt);
}
