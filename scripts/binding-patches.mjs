// Changes the lab makes to the source of tfjs-node's native binding (node_modules/@tensorflow/
// tfjs-node/binding) before compiling it. Each one checks for itself and is applied at most once; it
// returns false where the source is not the one it knows, and the addon is then built without it.
// The binding's own files are kept beside it (FILE.original), so that a build can start again from
// them with fewer changes.
import fs from 'node:fs';
import path from 'node:path';

/** The binding's files that the patches change. */
const PATCHED_FILES = ['tfjs_backend.h', 'tfjs_backend.cc', 'tfjs_binding.cc'];

/**
 * The binding keeps the names of operation attributes in one process-wide std::set that every
 * operation call inserts into: two threads running operations at once (the library's helper threads)
 * corrupt it and crash the process. One set per thread removes the race.
 */
function perThreadAttributeNames(bindingDir) {
  const file = path.join(bindingDir, 'tfjs_backend.cc');
  const source = fs.readFileSync(file, 'utf8');
  const [shared, perThread] = ['static', 'static thread_local'].map((storage) => `${storage} std::set<std::string> ATTR_NAME_SET;`);
  if (source.includes(perThread)) return true;
  if (!source.includes(shared)) return false;
  fs.writeFileSync(file, source.replace(shared, perThread));
  return true;
}

const COPY_DECLARATION = `
  // Copies a float32 tensor's values into a Float32Array, which may view a SharedArrayBuffer;
  // returns the number of values copied. Added by the lab's setup (scripts/binding-patches.mjs).
  napi_value CopyTensorData(napi_env env, napi_value tensor_id_value,
                            napi_value target_value);
`;

const COPY_METHOD = `napi_value TFJSBackend::CopyTensorData(napi_env env,
                                       napi_value tensor_id_value,
                                       napi_value target_value) {
  int32_t tensor_id;
  ENSURE_NAPI_OK_RETVAL(
      env, napi_get_value_int32(env, tensor_id_value, &tensor_id), nullptr);
  auto tensor_entry = tfe_handle_map_.find(tensor_id);
  if (tensor_entry == tfe_handle_map_.end()) {
    NAPI_THROW_ERROR(env, "copyTensorData: no tensor with id %d", tensor_id);
    return nullptr;
  }
  bool is_typed_array = false;
  ENSURE_NAPI_OK_RETVAL(
      env, napi_is_typedarray(env, target_value, &is_typed_array), nullptr);
  napi_typedarray_type array_type = napi_int8_array;
  size_t target_length = 0;
  void *target_data = nullptr;
  if (is_typed_array) {
    ENSURE_NAPI_OK_RETVAL(
        env, napi_get_typedarray_info(env, target_value, &array_type,
                                      &target_length, &target_data, nullptr,
                                      nullptr),
        nullptr);
  }
  if (array_type != napi_float32_array ||
      TFE_TensorHandleDataType(tensor_entry->second) != TF_FLOAT) {
    NAPI_THROW_ERROR(
        env, "copyTensorData: needs a float32 tensor and a Float32Array");
    return nullptr;
  }
  TF_AutoStatus tf_status;
  TF_AutoTensor tensor(
      TFE_TensorHandleResolve(tensor_entry->second, tf_status.status));
  ENSURE_TF_OK_RETVAL(env, tf_status, nullptr);
  size_t values = TF_TensorByteSize(tensor.tensor) / sizeof(float);
  if (values > target_length) {
    NAPI_THROW_ERROR(env,
                     "copyTensorData: the tensor has %zu values, the target "
                     "room for %zu",
                     values, target_length);
    return nullptr;
  }
  memcpy(target_data, TF_TensorData(tensor.tensor), values * sizeof(float));
  napi_value copied;
  ENSURE_NAPI_OK_RETVAL(
      env, napi_create_uint32(env, static_cast<uint32_t>(values), &copied),
      nullptr);
  return copied;
}

`;

const COPY_FUNCTION = `static napi_value CopyTensorData(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  ENSURE_NAPI_OK_RETVAL(
      env, napi_get_cb_info(env, info, &argc, args, nullptr, nullptr), nullptr);
  if (argc < 2) {
    NAPI_THROW_ERROR(env, "copyTensorData(tensorId, target) takes 2 arguments, got %zu", argc);
    return nullptr;
  }
  ENSURE_VALUE_IS_NUMBER_RETVAL(env, args[0], nullptr);
  TFJSBackend *const backend = GetTFJSBackend(env);
  if (!backend) return nullptr;
  return backend->CopyTensorData(env, args[0], args[1]);
}

`;

const COPY_PROPERTY = `      {"copyTensorData", nullptr, CopyTensorData, nullptr, nullptr, nullptr,
       napi_default, nullptr},
`;

/**
 * binding.copyTensorData(tensorId, target): copies a tensor's values straight into a Float32Array.
 * tensorDataSync makes a new array for each read, and for the conv model's 0.8 MB gradient, read at
 * every step by each training thread, allocating it costs several times the copy.
 */
function copyTensorData(bindingDir) {
  const sources = PATCHED_FILES.map((file) => fs.readFileSync(path.join(bindingDir, file), 'utf8'));
  const anchors = [
    '  napi_value GetTensorData(napi_env env, napi_value tensor_id_value);\n',
    '}  // namespace tfnodejs',
    'static napi_value GetNumOfTensors(napi_env env, napi_callback_info info) {',
    '      {"tensorDataSync", nullptr, TensorDataSync, nullptr, nullptr, nullptr,\n       napi_default, nullptr},\n',
  ];
  const applied = sources.every((source) => source.includes('CopyTensorData'));
  if (applied) return true;
  if (sources.some((source) => source.includes('CopyTensorData'))) return false;
  const [header, backend, binding] = sources;
  if (!header.includes(anchors[0]) || !backend.includes(anchors[1]) || !binding.includes(anchors[2]) || !binding.includes(anchors[3])) {
    return false;
  }
  const last = backend.lastIndexOf(anchors[1]);
  fs.writeFileSync(path.join(bindingDir, PATCHED_FILES[0]), header.replace(anchors[0], anchors[0] + COPY_DECLARATION));
  fs.writeFileSync(path.join(bindingDir, PATCHED_FILES[1]), backend.slice(0, last) + COPY_METHOD + backend.slice(last));
  fs.writeFileSync(
    path.join(bindingDir, PATCHED_FILES[2]),
    binding.replace(anchors[2], COPY_FUNCTION + anchors[2]).replace(anchors[3], anchors[3] + COPY_PROPERTY),
  );
  return true;
}

/** The patches, by the name the addon's marker file lists them under. */
export const BINDING_PATCHES = [
  { name: 'per-thread attribute names', apply: perThreadAttributeNames },
  { name: 'copyTensorData', apply: copyTensorData },
];

/** The name of the patch without which the library does not train on several threads. */
export const THREAD_SAFETY_PATCH = BINDING_PATCHES[0].name;

/**
 * Puts the named patches (all by default) that know this source into the binding's files, and no
 * others; returns the names of those now in it.
 */
export function applyBindingPatches(bindingDir, names = BINDING_PATCHES.map((patch) => patch.name)) {
  for (const file of PATCHED_FILES) {
    const [current, original] = [path.join(bindingDir, file), path.join(bindingDir, `${file}.original`)];
    if (fs.existsSync(original)) fs.copyFileSync(original, current);
    else fs.copyFileSync(current, original);
  }
  return BINDING_PATCHES.filter((patch) => names.includes(patch.name) && patch.apply(bindingDir)).map((patch) => patch.name);
}
