//===- nnrt_hooks.h - functions that nncc-generated code calls ----*- C -*-===//
//
// The runtime half of the generated entry points (docs/contract.md): the
// compiler emits calls to these functions and libnnrt implements them.
// Applications never call them; they use the generated <model>_* API and
// nnrt.h. The signatures are an ABI between nncc and libnnrt of the same
// version: the entry-point pass (compiler/Codegen/Common/GenerateEntryPoints)
// declares them with exactly these types. The parallel-for that generated
// loops call is in nnrt/parallel.h.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_NNRT_HOOKS_H
#define NNRT_NNRT_HOOKS_H

#include "nnrt/nnrt.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The version of this interface. Generated code references the variable
/// nnrt_hooks_abi_<version> (and passes its address to
/// nnrt_hook_context_create): an object compiled by an nncc whose hooks
/// differ does not link against this libnnrt, instead of misbehaving.
#define NNRT_HOOKS_ABI 1
extern const uint32_t nnrt_hooks_abi_1;

/// <model>_create: checks that `*abi` is NNRT_HOOKS_ABI, then creates a
/// context (as nnrt_context_create) that owns
/// `num_states` state buffers (the model's parameters), the i-th described by
/// `state_infos[i]` and initialized from the `state_infos[i].num_elements`
/// elements at `state_initial[i]` (read-only data in the object). Each state
/// gets two buffers, so that an entry that writes a new value never reads and
/// writes one buffer at once. On failure `*out_ctx` is NULL and the reason is
/// available from nnrt_last_create_error().
nnrt_status nnrt_hook_context_create(const uint32_t *abi,
                                     const nnrt_options *opts,
                                     nnrt_context **out_ctx,
                                     const nnrt_tensor_info *state_infos,
                                     const void *const *state_initial,
                                     size_t num_states);

/// <model>_create, after nnrt_hook_context_create returned `status`: returns
/// `status` unchanged unless it is NNRT_OK. Otherwise sizes the workspace of
/// `*out_ctx` for calls whose temporaries peak at `bytes` bytes in at most
/// `buffers` live buffers, plus `thread_scratch` bytes per thread of the
/// context (the figures of nncc-measure-workspace, the largest over the
/// model's entries, the fixed part for a dynamic batch), and writes every
/// page of it, so that the first call neither allocates from the heap nor
/// faults memory in. When that block cannot be had: destroys the context,
/// sets `*out_ctx` to NULL, and returns NNRT_ERROR_OUT_OF_MEMORY with the
/// reason in nnrt_last_create_error().
nnrt_status nnrt_hook_reserve_workspace(nnrt_status status,
                                        nnrt_context **out_ctx, size_t bytes,
                                        size_t buffers, size_t thread_scratch);

/// Checks the batch size an entry with a dynamic batch was called with,
/// before nnrt_hook_enter: NNRT_ERROR_INVALID_ARGUMENT when `ctx` is NULL
/// (nothing recorded) or unless 1 <= batch_size <= max_batch_size, with a
/// message such as "mlp_infer: batch_size 0 is not in [1, 2739720]" recorded
/// in `ctx`; NNRT_OK otherwise (recording nothing).
nnrt_status nnrt_hook_check_batch(nnrt_context *ctx, const char *entry,
                                  int64_t batch_size, int64_t max_batch_size);

/// Starts a call of entry point `entry` (its C name, for messages): checks
/// `ctx` and every tensor pointer, describing `num_inputs` inputs and
/// `num_outputs` outputs with the info tables (either may be NULL, messages
/// then omit names), and that `ctx` holds the `num_states` states of the
/// entry's model, described by its table `state_infos`. Returns
/// NNRT_ERROR_INVALID_ARGUMENT when `ctx` is NULL (nothing recorded), when a
/// pointer array or a pointer in it is NULL, with a message such as
/// "lenet_infer: input 0 ('input') is NULL" recorded in `ctx`, or when `ctx`
/// was created by another model (other states). On success clears the recorded
/// error and returns NNRT_OK.
nnrt_status
nnrt_hook_enter(nnrt_context *ctx, const char *entry, const void *const *inputs,
                const nnrt_tensor_info *input_infos, size_t num_inputs,
                void *const *outputs, const nnrt_tensor_info *output_infos,
                size_t num_outputs, const nnrt_tensor_info *state_infos,
                size_t num_states);

/// Ends a call started by nnrt_hook_enter: releases what the call left in
/// the workspace and grows the workspace to the call's peak, so that after a
/// call or a few repeating it allocates nothing from the heap. Returns the
/// call's status: NNRT_OK, or the error an allocation recorded.
nnrt_status nnrt_hook_leave(nnrt_context *ctx);

/// The current buffer of state `index` (what entries read).
void *nnrt_hook_state(nnrt_context *ctx, size_t index);
/// The other buffer of state `index`, where an entry writes its new value.
void *nnrt_hook_state_next(nnrt_context *ctx, size_t index);
/// Makes the buffer written through nnrt_hook_state_next current: called
/// after an entry computed the new value, so later calls read it. Does
/// nothing when an allocation of the call failed: the new value is then
/// incomplete, and the state keeps its old one.
void nnrt_hook_state_commit(nnrt_context *ctx, size_t index);

/// Temporary memory of generated code (memref.alloc): `size` bytes aligned
/// to `alignment` (raised to at least NNRT_DEFAULT_ALIGNMENT), from the
/// context's workspace when it has room, else from the heap. Returns NULL
/// (and records NNRT_ERROR_OUT_OF_MEMORY for nnrt_hook_leave) on failure;
/// generated code then returns at once (nncc-allocate-through-context).
void *nnrt_hook_alloc(nnrt_context *ctx, size_t alignment, size_t size);
/// Releases memory from nnrt_hook_alloc. NULL is a no-op.
void nnrt_hook_free(nnrt_context *ctx, void *ptr);

// Saving and loading the state. The four hooks below share these rules:
// `entry` is the C name of the generated function ("lenet_save"), the prefix
// of every message recorded in `ctx`, which also names the file and the
// tensor ("lenet_load: 'w.onnx': initializer 'fc1.weight' has shape
// [10, 784], the model's is [784, 10]"). They return
// NNRT_ERROR_INVALID_ARGUMENT for a NULL `ctx` (nothing recorded), a NULL
// `path` or a context of another model (as nnrt_hook_enter), NNRT_ERROR_IO
// when the file cannot be opened, read, written or renamed (with the
// system's reason), NNRT_ERROR_INVALID_ARGUMENT for a file that is malformed,
// truncated or does not hold the model's states, NNRT_ERROR_OUT_OF_MEMORY,
// and on success clear the recorded error. Saving writes a temporary file
// next to `path` and renames it over `path` once it is complete, so a failed
// save leaves `path` as it was. Loading is all or nothing: the whole file is
// checked before any state changes.

/// <model>_save: writes the model's ONNX file with its trainable initializers
/// replaced by the current state values. `model` holds `model_size` bytes: the
/// serialized ONNX ModelProto as compiled, in which every trainable
/// initializer stores its data in raw_data (little-endian). For each state i
/// with patch_offsets[i] != UINT64_MAX, the state's current value (num_elements
/// * dtype size bytes, little-endian) replaces the bytes at
/// model[patch_offsets[i]...]. Those bytes must be exactly the raw_data of the
/// initializer named like the state, of its dtype and shape; otherwise
/// (a bug in nncc) nothing is written and NNRT_ERROR_INTERNAL is returned.
nnrt_status nnrt_hook_save_onnx(nnrt_context *ctx, const char *entry,
                                const nnrt_tensor_info *state_infos,
                                size_t num_states, const char *path,
                                const uint8_t *model, uint64_t model_size,
                                const uint64_t *patch_offsets);

/// <model>_load: reads the ONNX model at `path` and, for every state i with
/// patch_offsets[i] != UINT64_MAX, the graph initializer with the state's
/// name (state_infos[i].name), which must be unique: its data_type and dims
/// must equal the state's dtype and shape; its data comes from raw_data
/// (little-endian, exactly num_elements * dtype size bytes) or from the typed
/// repeated field, packed or not (float_data for f32, double_data, int32_data
/// for i8/i16/i32/u8/u16/bool/f16 as ONNX stores them, int64_data,
/// uint64_data for u32/u64), with exactly num_elements values that fit the
/// dtype. Initializers with external data are refused. Other states are left
/// as they are. All or nothing: on any error no state changes.
nnrt_status nnrt_hook_load_onnx(nnrt_context *ctx, const char *entry,
                                const nnrt_tensor_info *state_infos,
                                size_t num_states, const char *path,
                                const uint64_t *patch_offsets);

/// <model>_save_checkpoint: writes every state (parameters, optimizer
/// moments, step counter) bit for bit to a small file of libnnrt's own
/// format (docs/runtime.md), so that training resumed from the checkpoint
/// computes exactly what training straight through would have.
nnrt_status nnrt_hook_save_checkpoint(nnrt_context *ctx, const char *entry,
                                      const nnrt_tensor_info *state_infos,
                                      size_t num_states, const char *path);

/// <model>_load_checkpoint: restores the states saved by
/// nnrt_hook_save_checkpoint. The file must hold exactly the context's states
/// (same count, order, names, dtypes and shapes) and nothing after them; all
/// or nothing.
nnrt_status nnrt_hook_load_checkpoint(nnrt_context *ctx, const char *entry,
                                      const nnrt_tensor_info *state_infos,
                                      size_t num_states, const char *path);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // NNRT_NNRT_HOOKS_H
