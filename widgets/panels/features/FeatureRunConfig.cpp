#include "FeatureRunConfig.h"

#include "common/InputError.h"
#include "mlp/ImageDataset.h"
#include "mlp/MlpClassifier.h"
#include "sae/ActivationImport.h"

using featurescope::InputError;

int FeatureRunConfig::inputDimension() const
{
    switch (source) {
    case Source::Synthetic:
        return syntheticDimension;
    case Source::Toy:
        return toyHidden;
    case Source::FashionMnist:
        return featurescope::MlpConfig{}.hidden;
    case Source::File:
        return imported ? int(imported->set.activations.rows()) : 0;
    }
    return syntheticDimension;
}

featurescope::SaeConfig FeatureRunConfig::saeConfig() const
{
    featurescope::SaeConfig config = sae;
    config.inputDim = inputDimension();
    return config;
}

void FeatureRunConfig::validate() const
{
    switch (source) {
    case Source::Synthetic:
        if (syntheticFeatures < 1 || syntheticFeatures > 100000)
            throw InputError("true features F must be between 1 and 100000");
        if (syntheticDimension < 1 || syntheticDimension > 4096)
            throw InputError("dimension d must be between 1 and 4096");
        if (!(syntheticMeanActive > 0.0) || syntheticMeanActive > syntheticFeatures)
            throw InputError("mean active features must be above 0 and at most F");
        break;
    case Source::Toy:
        if (toyFeatures < 2 || toyFeatures > 2000)
            throw InputError("toy features n must be between 2 and 2000");
        if (toyHidden < 1 || toyHidden > 512)
            throw InputError("toy hidden m must be between 1 and 512");
        if (toyHidden >= toyFeatures)
            throw InputError("the toy model needs fewer hidden dimensions m than features n (superposition)");
        if (!(toyProbability > 0.0) || toyProbability > 1.0)
            throw InputError("feature probability p must be in (0, 1]");
        if (toySteps < 1 || toySteps > 10000000)
            throw InputError("toy training steps must be between 1 and 1e7");
        break;
    case Source::FashionMnist:
        if (dataDirectory.empty())
            throw InputError("choose the folder with the Fashion-MNIST IDX files");
        if (!featurescope::ImageDataset::hasSplit(dataDirectory, "train") ||
            !featurescope::ImageDataset::hasSplit(dataDirectory, "t10k"))
            throw InputError("no IDX image set in " + dataDirectory +
                             " (expected train- and t10k-images/labels-idx?-ubyte[.gz]; install the Debian package "
                             "dataset-fashion-mnist or choose another folder)");
        if (mlpEpochs < 1 || mlpEpochs > 1000)
            throw InputError("MLP epochs must be between 1 and 1000");
        break;
    case Source::File:
        if (!imported || imported->set.activations.size() == 0)
            throw InputError("open an activations file first (File > Open Activations…, or drop a .npy/.npz/"
                             ".safetensors file on the window)");
        break;
    }
    const featurescope::SaeConfig config = saeConfig();
    training.validate(config);
    if (training.steps < 1)
        throw InputError("the SAE needs at least one training step");
}

QString FeatureRunConfig::sourceName(Source source)
{
    switch (source) {
    case Source::Synthetic:
        return QStringLiteral("synthetic");
    case Source::Toy:
        return QStringLiteral("toy");
    case Source::FashionMnist:
        return QStringLiteral("fashion-mnist");
    case Source::File:
        return QStringLiteral("file");
    }
    return {};
}

bool FeatureRunConfig::sourceFromName(const QString& name, Source* source)
{
    for (Source s : {Source::Synthetic, Source::Toy, Source::FashionMnist, Source::File})
        if (sourceName(s) == name) {
            *source = s;
            return true;
        }
    return false;
}

FeatureRunConfig::SaeDefaults FeatureRunConfig::defaultsFor(Source source, int trueFeatures)
{
    switch (source) {
    case Source::Toy:
        // Measured on n=20, m=5, p=0.05: MMCS ≈ 1.0 with L0 ≈ 1.8 (true 1.0) in half a second.
        return {4 * trueFeatures, 0.1, 4000, 256, 3e-3, false};
    case Source::FashionMnist:
    case Source::File: // recorded activations of unknown scale: normalise, as for the MLP
        return {512, 0.02, 2000, 1024, 1e-3, true};
    case Source::Synthetic:
        break;
    }
    // Measured on F=128, d=64: MMCS ≈ 0.998 with L0 ≈ 6 in under a second.
    return {512, 6e-3, 2000, 256, 3e-3, false};
}

double FeatureRunConfig::defaultL1(Source source, featurescope::SaeVariant variant)
{
    if (variant == featurescope::SaeVariant::Anthropic2024)
        return 0.1; // its penalty acts on inputs scaled to E|x| = sqrt(d)
    return defaultsFor(source, 20).l1;
}
