#include "FigureTitles.h"

#include <QCoreApplication>

#include <iterator>

namespace {
struct Entry {
    const char* id;
    const char* title;
};

constexpr Entry kTitles[] = {
    // Energy bound
    {"ratio-vs-temperature", "Energy per operation over the Landauer bound, by temperature"},
    {"ratio-vs-bits", "Energy per operation over the Landauer bound, by bits erased"},
    {"efficiency-trend", "Hardware energy efficiency over the years, with trends"},
    // Superposition geometry
    {"feature-arrows", "Feature directions, one panel per instance"},
    {"feature-dimensionality", "Feature dimensionality D\u1d62 of every feature, by instance"},
    {"gram-heatmap", "Gram matrix W\u1d40W and bias b"},
    {"norm-bars", "Feature norms \u2016W\u1d62\u2016 coloured by superposition"},
    {"sticky-fraction", "Dimensions per feature against sparsity (sticky fractions)"},
    {"loss", "Training loss per instance"},
    {"neuron-bars", "Hidden neurons' weights per feature"},
    {"phase-diagram", "Phase diagram of one extra feature"},
    {"scale-lab", "Scale-invariance lab (all of it)"},
    {"scale-measures", "Scale lab: measures against the scale c"},
    {"scale-output", "Scale lab: accuracy and loss against the scale c"},
    // Feature activations
    {"density-histogram", "Feature density histogram"},
    {"feature-table", "Feature table"},
    {"feature-view", "Selected feature in detail"},
    {"feature-activations", "Selected feature's activations"},
    {"top-examples", "Top-activating examples"},
    {"quantile-examples", "Examples across activation quantiles"},
    {"mean-input", "Mean input where the feature fires"},
    {"training-loss", "SAE training loss"},
    {"control", "Randomized control: trained against shuffled"},
    {"control-purity", "Randomized control: purity"},
    {"control-coherence", "Randomized control: coherence"},
    {"control-density", "Randomized control: feature density"},
    {"feature-dashboard", "Feature dashboard"},
    {"feature-histogram", "Feature activation histogram"},
    {"logit-effects", "Feature's effect on the logits"},
    {"prompt", "Feature activations over a prompt"},
    {"steering", "Steering with a feature"},
    {"lm-control", "Language-model randomized control"},
};

const Entry* find(const QString& id)
{
    for (const Entry& entry : kTitles)
        if (id == QLatin1String(entry.id))
            return &entry;
    return nullptr;
}
} // namespace

QString FigureTitles::title(const QString& figureId)
{
    if (const Entry* entry = find(figureId))
        return QCoreApplication::translate("FigureTitles", entry->title);
    QString words = figureId;
    words.replace(QLatin1Char('-'), QLatin1Char(' '));
    if (!words.isEmpty())
        words[0] = words[0].toUpper();
    return words;
}

bool FigureTitles::has(const QString& figureId) { return find(figureId) != nullptr; }
