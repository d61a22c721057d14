#include "lm/GptHookPoint.h"

#include "common/InputError.h"
#include "io/FileText.h"

#include <array>
#include <utility>

namespace featurescope {

namespace {

constexpr std::array<std::pair<GptHookPoint::Site, const char*>, 7> kBlockSites{{
    {GptHookPoint::Site::ResidPre, "hook_resid_pre"},
    {GptHookPoint::Site::AttnOut, "hook_attn_out"},
    {GptHookPoint::Site::ResidMid, "hook_resid_mid"},
    {GptHookPoint::Site::MlpPre, "mlp.hook_pre"},
    {GptHookPoint::Site::MlpPost, "mlp.hook_post"},
    {GptHookPoint::Site::MlpOut, "hook_mlp_out"},
    {GptHookPoint::Site::ResidPost, "hook_resid_post"},
}};
constexpr const char* kFinal = "ln_final.hook_normalized";

} // namespace

GptHookPoint GptHookPoint::parse(const std::string& name, int layers)
{
    auto fail = [&]() {
        return InputError("unknown hook " + FileText::quoted(name) + " (expected blocks.L.hook_resid_pre, "
                          "hook_attn_out, hook_resid_mid, mlp.hook_pre, mlp.hook_post, hook_mlp_out or "
                          "hook_resid_post with 0 <= L < " + std::to_string(layers) + ", or " + kFinal + ")");
    };
    if (name == kFinal)
        return {Site::FinalNormalized, -1};
    const std::string prefix = "blocks.";
    if (name.rfind(prefix, 0) != 0)
        throw fail();
    std::size_t i = prefix.size();
    long long layer = 0;
    const std::size_t digitsStart = i;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9' && i - digitsStart < 6)
        layer = layer * 10 + (name[i++] - '0');
    if (i == digitsStart || i >= name.size() || name[i] != '.' || layer >= layers)
        throw fail();
    const std::string rest = name.substr(i + 1);
    for (const auto& [site, text] : kBlockSites)
        if (rest == text)
            return {site, int(layer)};
    throw fail();
}

std::vector<GptHookPoint> GptHookPoint::all(int layers)
{
    std::vector<GptHookPoint> points;
    for (int l = 0; l < layers; ++l)
        for (const auto& entry : kBlockSites)
            points.push_back({entry.first, l});
    points.push_back({Site::FinalNormalized, -1});
    return points;
}

std::string GptHookPoint::name() const
{
    if (site == Site::FinalNormalized)
        return kFinal;
    for (const auto& [s, text] : kBlockSites)
        if (s == site)
            return "blocks." + std::to_string(layer) + "." + text;
    return {};
}

int GptHookPoint::width(const GptConfig& config) const
{
    return site == Site::MlpPre || site == Site::MlpPost ? config.inner : config.width;
}

bool GptHookPoint::writesResidual() const
{
    return site != Site::MlpPre && site != Site::MlpPost && site != Site::FinalNormalized;
}

} // namespace featurescope
