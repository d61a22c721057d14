#include "io/DType.h"

namespace featurescope {

namespace {
struct DTypeInfo {
    DType type;
    std::size_t size;
    const char* safetensors;
    const char* npy;
    const char* shortName;
};
constexpr DTypeInfo kTypes[] = {
    {DType::Bool, 1, "BOOL", "|b1", "bool"}, {DType::U8, 1, "U8", "|u1", "u8"},
    {DType::I8, 1, "I8", "|i1", "i8"},       {DType::I16, 2, "I16", "<i2", "i16"},
    {DType::U16, 2, "U16", "<u2", "u16"},    {DType::I32, 4, "I32", "<i4", "i32"},
    {DType::U32, 4, "U32", "<u4", "u32"},    {DType::I64, 8, "I64", "<i8", "i64"},
    {DType::U64, 8, "U64", "<u8", "u64"},    {DType::F16, 2, "F16", "<f2", "f16"},
    {DType::BF16, 2, "BF16", "<u2", "bf16"}, {DType::F32, 4, "F32", "<f4", "f32"},
    {DType::F64, 8, "F64", "<f8", "f64"},
};
const DTypeInfo& info(DType type)
{
    for (const auto& t : kTypes)
        if (t.type == type)
            return t;
    return kTypes[0];
}
} // namespace

std::size_t dtypeSize(DType type) { return info(type).size; }

bool dtypeIsFloat(DType type)
{
    return type == DType::F16 || type == DType::BF16 || type == DType::F32 || type == DType::F64;
}

bool dtypeIsInteger(DType type) { return !dtypeIsFloat(type); }

std::string dtypeSafetensorsName(DType type) { return info(type).safetensors; }

std::optional<DType> dtypeFromSafetensorsName(const std::string& name)
{
    for (const auto& t : kTypes)
        if (name == t.safetensors)
            return t.type;
    return std::nullopt;
}

std::string dtypeNpyDescr(DType type) { return info(type).npy; }

std::optional<DType> dtypeFromNpyDescr(const std::string& descr)
{
    if (descr.size() != 3)
        return std::nullopt;
    const char order = descr[0];
    const std::string kind = descr.substr(1);
    // One-byte types are written with '|' but '<' and '=' are accepted too; wider ones need little-endian.
    const bool oneByte = kind == "b1" || kind == "u1" || kind == "i1";
    if (!(order == '<' || order == '=' || (order == '|' && oneByte)))
        return std::nullopt;
    for (const auto& t : kTypes)
        if (t.type != DType::BF16 && kind == std::string(t.npy).substr(1))
            return t.type;
    return std::nullopt;
}

std::string dtypeShortName(DType type) { return info(type).shortName; }

} // namespace featurescope
