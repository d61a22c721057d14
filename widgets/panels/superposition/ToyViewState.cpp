#include "ToyViewState.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"

#include <iterator>

const QStringList& ToyViewState::tabIds()
{
    static const QStringList ids{QStringLiteral("geometry"), QStringLiteral("dimensionality"), QStringLiteral("gram"),
                                 QStringLiteral("norms"),    QStringLiteral("sticky"),         QStringLiteral("loss"),
                                 QStringLiteral("neurons"),  QStringLiteral("phases"),         QStringLiteral("scale-lab")};
    return ids;
}

ToyViewState ToyViewState::parse(const featurescope::SettingsReader& view, const std::string& where)
{
    // Before the dimensionality tab existed, sessions saved the tab's index in this order.
    static const int legacyOrder[] = {0, 2, 3, 4, 5, 6, 7, 8};
    ToyViewState s;
    if (view.raw("tab").is_string()) {
        s.tab = int(tabIds().indexOf(QString::fromStdString(view.text("tab", 40))));
        if (s.tab < 0)
            throw featurescope::InputError(where + ": unknown tab \"" + view.text("tab", 40) + "\"");
    } else {
        s.tab = legacyOrder[view.integer("tab", 0, std::size(legacyOrder) - 1)];
    }
    s.feature = int(view.integer("selected_feature", -1, 5000));
    s.instance = int(view.integer("selected_instance", 0, 4096));
    s.snapshot = int(view.integer("snapshot", -1, 100000));
    // Sessions before the plane choice have no "projection": the principal axes.
    if (view.has("projection")) {
        const auto projection = view.integers("projection", 2, -1, 100000);
        if (projection.size() != 2)
            throw featurescope::InputError(where + ": \"projection\" must be two dimensions");
        s.projectionFirst = int(projection[0]);
        s.projectionSecond = int(projection[1]);
    }
    return s;
}

nlohmann::json ToyViewState::write() const
{
    return {{"tab", tabIds().value(tab).toStdString()},
            {"selected_feature", feature},
            {"selected_instance", instance},
            {"snapshot", snapshot},
            {"projection", {projectionFirst, projectionSecond}}};
}

QString ToyViewState::tabToolTip(int i)
{
    const QStringList names{
        tr("Feature geometry: each feature's direction in the hidden space"),
        tr("Feature dimensionality: every feature's D\u1d62 against its norm, one strip per instance, glyphs by "
           "geometry (readable for any m and n)"),
        tr("Gram matrix W\u1d40W and bias b"),
        tr("Norms: ||W_i|| per feature, coloured by superposition, one column per instance"),
        tr("Sticky fractions: dimensions per feature against sparsity"),
        tr("Training loss per instance"),
        tr("Neurons: each hidden unit's weights (privileged basis of the ReLU-hidden model)"),
        tr("Phase diagram: where a model puts one extra feature"),
        tr("Is \"features per dimension\" scale invariant? Rescale W by c and watch each measure")};
    return names.value(i);
}

void ToyViewState::checkFits(int features, int instances, int snapshots, const std::string& where) const
{
    using featurescope::InputError;
    if (feature >= features)
        throw InputError(where + ": the selected feature " + std::to_string(feature) + " does not exist");
    if (instance >= instances)
        throw InputError(where + ": the selected instance " + std::to_string(instance) + " does not exist");
    if (snapshot >= snapshots)
        throw InputError(where + ": the time slider's snapshot " + std::to_string(snapshot) + " does not exist");
}
