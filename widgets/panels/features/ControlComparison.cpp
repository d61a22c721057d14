#include "ControlComparison.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <limits>

double ControlComparison::median(std::vector<double> values)
{
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const std::size_t mid = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + long(mid), values.end());
    double m = values[mid];
    if (values.size() % 2 == 0) {
        const double lower = *std::max_element(values.begin(), values.begin() + long(mid));
        m = 0.5 * (m + lower);
    }
    return m;
}

namespace {

QString tr(const char* text) { return QCoreApplication::translate("ControlComparison", text); }

// "higher for the trained network" / "higher for the shuffled one" / "about the same", from medians.
QString compare(double trained, double shuffled, double margin)
{
    if (!std::isfinite(trained) || !std::isfinite(shuffled))
        return tr("not comparable (too few features with enough examples)");
    if (trained > shuffled + margin)
        return tr("higher for the trained network");
    if (shuffled > trained + margin)
        return tr("higher for the shuffled one");
    return tr("about the same");
}

QString number(double v) { return std::isfinite(v) ? QString::number(v, 'f', 2) : QStringLiteral("–"); }

} // namespace

QString ControlComparison::reading() const
{
    const double pt = median(trained.purities), ps = median(shuffled.purities);
    const double ct = median(trained.coherences), cs = median(shuffled.coherences);
    QString text = tr("Median label purity %1 vs %2 (%3), median coherence %4 vs %5 (%6); dead %7 % vs %8 % of %9 "
                      "features; networks %10 % vs %11 % accurate.")
                       .arg(number(pt), number(ps), compare(pt, ps, 0.03), number(ct), number(cs), compare(ct, cs, 0.03))
                       .arg(100.0 * trained.metrics.deadFraction, 0, 'f', 0)
                       .arg(100.0 * shuffled.metrics.deadFraction, 0, 'f', 0)
                       .arg(latentDim)
                       .arg(100.0 * trained.accuracy, 0, 'f', 1)
                       .arg(100.0 * shuffled.accuracy, 0, 'f', 1);
    const bool purityTrained = std::isfinite(pt) && std::isfinite(ps) && pt > ps + 0.03;
    const bool coherenceShuffled = std::isfinite(ct) && std::isfinite(cs) && cs > ct + 0.03;
    if (purityTrained && coherenceShuffled)
        text += tr(" The proxies disagree: the shuffled network's features look more coherent, as TM warned random "
                   "models can on naive measures.");
    else if (!purityTrained && std::isfinite(pt) && std::isfinite(ps))
        text += tr(" Purity does not separate the two here: look at the distributions and at the examples.");
    text += tr(" These are proxies over %1 top examples per feature; compare the distributions, not one number.")
                .arg(topK);
    return text;
}
