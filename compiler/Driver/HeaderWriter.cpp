//===- HeaderWriter.cpp - the generated C header --------------------------===//
//
// Model-provided strings (tensor and state names, the input file's name) are
// untrusted: they only ever reach the header inside comments, through
// quoteForComment, so that no name can end a comment or inject code.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/HeaderWriter.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nncc {

std::string quoteForComment(llvm::StringRef text) {
  std::string result = "'";
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    // Escapes keep the comment on one line (no newline, no line splice) and
    // make '*/', '/*', '//' and trigraphs ('??') impossible.
    bool unsafe = c < 0x20 || c >= 0x7f || c == '\\' || c == '\'' ||
                  (c == '*' && next == '/') ||
                  (c == '/' && (next == '*' || next == '/')) ||
                  (c == '?' && next == '?');
    if (unsafe)
      result += fmt::format("\\x{:02x}", c);
    else
      result.push_back(c);
  }
  result += "'";
  return result;
}

namespace {

using Buffer = fmt::memory_buffer;

template <typename... Args>
void emit(Buffer &out, fmt::format_string<Args...> format, Args &&...args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

void writeTensorMacros(Buffer &out, const std::string &macroPrefix,
                       const char *kind, size_t index,
                       const TensorSignature &tensor) {
  std::string macro = fmt::format("{}_{}_{}", macroPrefix, kind, index);
  bool dynamic = tensor.numElements < 0;
  std::vector<std::string> dims;
  for (int64_t size : tensor.shape)
    dims.push_back(size < 0 ? "batch_size" : std::to_string(size));
  // With the dynamic batch, the size is a function of the call's batch_size
  // and the shape has -1 (as nnrt_tensor_info) where the batch is.
  std::string size =
      dynamic ? fmt::format("(batch_size) ((int64_t)(batch_size) * {})",
                            tensor.elementsPerBatch)
              : fmt::format(" {}", tensor.numElements);
  emit(out,
       "/* {} {} {}: {}[{}] */\n"
       "#define {}_RANK {}\n"
       "#define {}_SIZE{}\n"
       "#define {}_DTYPE {}\n",
       llvm::StringRef(kind).lower(), index, quoteForComment(tensor.name),
       tensor.dtype->name, fmt::join(dims, ", "), macro, tensor.shape.size(),
       macro, size, macro, tensor.dtype->getEnumName());
  if (dynamic)
    emit(out, "#define {}_BATCH_DIM {}\n", macro,
         llvm::find(tensor.shape, -1) - tensor.shape.begin());
  // A rank-0 tensor has no shape initializer: `{}` is not valid C.
  if (!tensor.shape.empty())
    emit(out, "#define {}_SHAPE {{{}}}\n", macro,
         fmt::join(tensor.shape, ", "));
}

/// Macros, the entry point and its queries. The `infer` entry keeps the
/// short names of single-entry models (MODEL_INPUT_0_SIZE,
/// model_num_inputs); other entries add their name (MODEL_TRAIN_INPUT_0_SIZE,
/// model_train_num_inputs).
void writeEntry(Buffer &out, const std::string &model,
                const EntrySignature &entry) {
  std::string cName = model + "_" + entry.name;
  std::string prefix = entry.name == "infer" ? model : cName;
  std::string macroPrefix = llvm::StringRef(prefix).upper();
  emit(out, "/*--- {}: {} entry ---*/\n\n", cName,
       nn::stringifyEntryKind(entry.kind).str());
  emit(out, "#define {0}_NUM_INPUTS {1}\n#define {0}_NUM_OUTPUTS {2}\n",
       macroPrefix, entry.inputs.size(), entry.outputs.size());
  for (size_t i = 0; i < entry.inputs.size(); ++i)
    writeTensorMacros(out, macroPrefix, "INPUT", i, entry.inputs[i]);
  for (size_t i = 0; i < entry.outputs.size(); ++i)
    writeTensorMacros(out, macroPrefix, "OUTPUT", i, entry.outputs[i]);

  if (entry.maxBatchSize)
    emit(out,
         "/* Dynamic batch: {0} and {0}_packed take the batch size, the\n"
         " * `batch_size` of the shapes above, from 1 to {1}_MAX_BATCH_SIZE. "
         "*/\n"
         "#define {1}_MAX_BATCH_SIZE {2}\n",
         cName, macroPrefix, *entry.maxBatchSize);
  std::vector<std::string> params = {fmt::format("{}_ctx *ctx", model)};
  if (entry.maxBatchSize)
    params.push_back("int64_t batch_size");
  for (const TensorSignature &in : entry.inputs)
    params.push_back(fmt::format("const {} *{}", in.dtype->cType, in.cName));
  for (const TensorSignature &o : entry.outputs)
    params.push_back(fmt::format("{} *{}", o.dtype->cType, o.cName));
  emit(out, "\n/** Runs {}: inputs are read, outputs fully written.", cName);
  if (!entry.writes.empty()) {
    std::vector<std::string> quoted;
    for (const std::string &state : entry.writes)
      quoted.push_back(quoteForComment(state));
    emit(out, "\n *  Updates the context's state {}.", fmt::join(quoted, ", "));
  }
  emit(out, " */\nnnrt_status {}({});\n\n", cName, fmt::join(params, ", "));
  emit(out,
       "/** Same as {0} with the tensors in arrays, in model order. */\n"
       "nnrt_status {0}_packed({1}_ctx *ctx, {3}const void *const *inputs,\n"
       "{2}void *const *outputs);\n\n",
       cName, model, std::string(cName.size() + 20, ' '),
       entry.maxBatchSize ? "int64_t batch_size, " : "");
  emit(out,
       "size_t {0}_num_inputs(void);\nsize_t {0}_num_outputs(void);\n"
       "/** Descriptions of input/output `i`; NULL when out of range. */\n"
       "const nnrt_tensor_info *{0}_input_info(size_t i);\n"
       "const nnrt_tensor_info *{0}_output_info(size_t i);\n\n",
       prefix);
}

/// The functions that save and load the state, those the model has.
void writeStateFiles(Buffer &out, const std::string &model,
                     const nn::StateFileFunctions &functions) {
  if (!functions.checkpoint)
    return;
  emit(out,
       "/*--- Saving and loading the state ---*/\n\n"
       "/* These return NNRT_ERROR_INVALID_ARGUMENT for a NULL `ctx` or\n"
       " * `path` (or a context of another model), NNRT_ERROR_IO when the\n"
       " * file cannot be opened, read or written, NNRT_ERROR_OUT_OF_MEMORY;\n"
       " * the context's last error names the file and the reason. A save\n"
       " * writes a new file next to `path` and renames it over `path` once\n"
       " * complete: a failed save leaves `path` as it was. A load checks\n"
       " * the whole file before it changes anything: on failure every state\n"
       " * keeps its value. */\n\n");
  if (functions.modelFile)
    emit(out,
         "/** Writes the model as an ONNX file: the one it was compiled\n"
         " *  from, with the context's current values in the initializers\n"
         " *  that are its parameters. */\n"
         "nnrt_status {0}_save({0}_ctx *ctx, const char *path);\n\n"
         "/** Reads the parameters from the initializers of an ONNX file\n"
         " *  ({0}_save's, or any with initializers of their names, types\n"
         " *  and shapes). The other states (optimizer state, step,\n"
         " *  learning rate) keep their values. NNRT_ERROR_INVALID_ARGUMENT\n"
         " *  for a file that is malformed or does not hold them (the\n"
         " *  message names the initializer). */\n"
         "nnrt_status {0}_load({0}_ctx *ctx, const char *path);\n\n",
         model);
  emit(out,
       "/** Writes every state (parameters, optimizer state, step) bit for\n"
       " *  bit to a checkpoint, so that training resumed from it computes\n"
       " *  exactly what training straight on would have. */\n"
       "nnrt_status {0}_save_checkpoint({0}_ctx *ctx, const char *path);\n\n"
       "/** Restores every state from a checkpoint of {0}_save_checkpoint.\n"
       " *  NNRT_ERROR_INVALID_ARGUMENT for a file that is malformed or\n"
       " *  holds other states (another model's). */\n"
       "nnrt_status {0}_load_checkpoint({0}_ctx *ctx, const char *path);\n\n",
       model);
}

} // namespace

namespace {

/// The file-scope identifier a line of the generated header defines: a
/// macro, the context typedef or a function; empty for other lines. The
/// header's lines have a few fixed forms, all written above.
llvm::StringRef getDefinedIdentifier(llvm::StringRef line) {
  if (line.consume_front("#define "))
    return line.take_until([](char c) { return c == ' ' || c == '('; });
  if (line.starts_with("typedef struct ") && line.ends_with(";"))
    return line.drop_back().rsplit(' ').second;
  size_t paren = line.find('(');
  if (line.starts_with(" ") || line.starts_with("/") || line.starts_with("#") ||
      paren == llvm::StringRef::npos)
    return {};
  llvm::StringRef before = line.take_front(paren).rtrim();
  size_t start = before.find_last_of(" *");
  return start == llvm::StringRef::npos ? before : before.drop_front(start + 1);
}

} // namespace

std::optional<std::string> findHeaderClash(llvm::StringRef header) {
  llvm::StringSet<> defined;
  llvm::SmallVector<llvm::StringRef> lines;
  header.split(lines, '\n');
  for (llvm::StringRef line : lines) {
    llvm::StringRef name = getDefinedIdentifier(line);
    if (name.empty())
      continue;
    if (!defined.insert(name).second)
      return "'" + name.str() + "' twice";
    if (isLanguageOrLibraryName(name))
      return "'" + name.str() +
             "', which C, C++ or their standard headers already define";
  }
  return std::nullopt;
}

std::string generateHeader(llvm::StringRef modelName,
                           const ModelSignature &signature,
                           llvm::StringRef source,
                           llvm::StringRef memoryMacros) {
  std::string name = modelName.str();
  std::string prefix = llvm::StringRef(name).upper();
  Buffer out;
  emit(out,
       "/* {}.h - generated by nncc from {}. Do not edit.\n"
       " *\n"
       " * Link with: model object, -lnnrt -lm -lpthread. All tensors are "
       "dense,\n"
       " * row-major and owned by the caller; outputs must not alias inputs."
       "\n * See docs/generated-api.md. */\n",
       name, quoteForComment(source));
  emit(out, "#ifndef NNCC_MODEL_{0}_H\n#define NNCC_MODEL_{0}_H\n\n", prefix);
  emit(out, "#include <stddef.h>\n#include <stdint.h>\n\n#include "
            "<nnrt/nnrt.h>\n\n#ifdef __cplusplus\nextern \"C\" {{\n#endif\n\n");

  emit(out,
       "/** Opaque per-thread state; create one per thread running the "
       "model. */\ntypedef struct {0}_ctx {0}_ctx;\n\n",
       name);
  emit(out,
       "/** Creates a context; `opts` may be NULL for defaults. On failure\n"
       " *  nnrt_last_create_error() says why. */\n"
       "nnrt_status {0}_create(const nnrt_options *opts, {0}_ctx **out_ctx);"
       "\n\n",
       name);
  emit(out,
       "/** The runtime context behind `ctx` (they are the same object), for\n"
       " *  nnrt_context_last_error() and nnrt_context_num_threads(). */\n"
       "static inline nnrt_context *{0}_runtime_context({0}_ctx *ctx) {{\n"
       "  return (nnrt_context *)ctx;\n}}\n\n",
       name);
  emit(out,
       "/** Destroys a context; NULL is a no-op. */\n"
       "void {0}_destroy({0}_ctx *ctx);\n\n",
       name);
  emit(out,
       "/** State held by each context (nnrt_context_state_info). */\n"
       "#define {}_NUM_STATES {}\n",
       prefix, signature.states.size());
  for (size_t i = 0; i < signature.states.size(); ++i)
    writeTensorMacros(out, prefix, "STATE", i, signature.states[i]);
  emit(out, "\n");
  writeStateFiles(out, name, signature.stateFiles);
  for (const EntrySignature &entry : signature.entries)
    writeEntry(out, name, entry);
  emit(out, "{}", memoryMacros);
  emit(out,
       "#ifdef __cplusplus\n}} /* extern \"C\" */\n#endif\n\n"
       "#endif /* NNCC_MODEL_{}_H */\n",
       prefix);
  return fmt::to_string(out);
}

} // namespace nncc
