#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace featurescope {

// Element types of the array files featurescope reads and writes (safetensors, npy, npz). All are stored
// little-endian. BF16 has no NumPy equivalent: in .npy it is stored as '<u2' by convention (see NpyFile).
enum class DType { Bool, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64 };

std::size_t dtypeSize(DType type);
bool dtypeIsFloat(DType type);   // F16, BF16, F32, F64
bool dtypeIsInteger(DType type); // Bool and the integer types
// safetensors spelling: "F32", "BF16", "I64", "BOOL", ...
std::string dtypeSafetensorsName(DType type);
std::optional<DType> dtypeFromSafetensorsName(const std::string& name);
// NumPy descr: "<f4", "|u1", "|b1", ... (BF16 -> "<u2"); parsing accepts '<', '|' and '=' byte orders.
std::string dtypeNpyDescr(DType type);
std::optional<DType> dtypeFromNpyDescr(const std::string& descr);
// Short lower-case name for messages: "f32", "bf16", "i64", ...
std::string dtypeShortName(DType type);

} // namespace featurescope
