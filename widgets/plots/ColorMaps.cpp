#include "plots/ColorMaps.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace {

// Okabe & Ito (2008), in the order of ColorMaps::OkabeIto.
constexpr std::array<QRgb, 8> kOkabeIto = {
    0xFF0072B2, // blue
    0xFFD55E00, // vermillion
    0xFF009E73, // bluish green
    0xFFE69F00, // orange
    0xFFCC79A7, // reddish purple
    0xFF56B4E9, // sky blue
    0xFF000000, // black
    0xFFF0E442, // yellow
};

// Sixteen more, each chosen to be as far as possible (CIE76 ΔE) from the Okabe-Ito colours and from each other, on
// light and on dark backgrounds as the dark theme draws them (golden-angle hues here once gave features 1/8 and 2/9,
// and later 17/18, nearly the same colour): every pair of the first twenty-four differs by ΔE > 20.
constexpr std::array<QRgb, 16> kBeyondOkabeIto = {
    0xFF332288, // indigo
    0xFF66A61E, // leaf green
    0xFFB2182B, // crimson
    0xFFE7298A, // magenta
    0xFFDDCC77, // sand
    0xFFFC8D62, // salmon
    0xFFAA4499, // purple
    0xFF01665E, // dark teal
    0xFFDD22DD, // fuchsia
    0xFF886644, // brown
    0xFFAA88EE, // lavender
    0xFF557733, // olive
    0xFF66BBBB, // sea blue
    0xFF22DD66, // spring green
    0xFFEEAAAA, // rose
    0xFFCCBBEE, // lilac
};

// ColorBrewer RdBu (9 classes), from -1 (blue) to +1 (red).
constexpr std::array<QRgb, 9> kDiverging = {0xFF2166AC, 0xFF4393C3, 0xFF92C5DE, 0xFFD1E5F0, 0xFFF7F7F7,
                                            0xFFFDDBC7, 0xFFF4A582, 0xFFD6604D, 0xFFB2182B};

// Viridis sampled at 0, 0.1, ..., 1.
constexpr std::array<QRgb, 11> kViridis = {0xFF440154, 0xFF482475, 0xFF414487, 0xFF355F8D, 0xFF2A788E, 0xFF21918C,
                                           0xFF22A884, 0xFF44BF70, 0xFF7AD151, 0xFFBDDF26, 0xFFFDE725};

template <std::size_t N>
QCPColorGradient gradientFrom(const std::array<QRgb, N>& stops)
{
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (std::size_t k = 0; k < N; ++k)
        gradient.setColorStopAt(double(k) / double(N - 1), QColor::fromRgb(stops[k]));
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setLevelCount(350);
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(ColorMaps::nanColor());
    return gradient;
}

template <std::size_t N>
QColor interpolate(const std::array<QRgb, N>& stops, double t)
{
    if (std::isnan(t))
        return ColorMaps::nanColor();
    t = std::clamp(t, 0.0, 1.0) * double(N - 1);
    const auto lo = std::min<std::size_t>(std::size_t(t), N - 2);
    const double f = t - double(lo);
    const QColor a = QColor::fromRgb(stops[lo]);
    const QColor b = QColor::fromRgb(stops[lo + 1]);
    return QColor::fromRgbF(float(a.redF() + f * (b.redF() - a.redF())), float(a.greenF() + f * (b.greenF() - a.greenF())),
                            float(a.blueF() + f * (b.blueF() - a.blueF())));
}

} // namespace

QColor ColorMaps::okabeIto(OkabeIto which) { return QColor::fromRgb(kOkabeIto[std::size_t(which)]); }

QList<QColor> ColorMaps::okabeItoPalette()
{
    QList<QColor> colours;
    for (QRgb rgb : kOkabeIto)
        colours.append(QColor::fromRgb(rgb));
    return colours;
}

QColor ColorMaps::categorical(int i)
{
    if (i < 0)
        return neutralColor();
    if (i < int(kOkabeIto.size()))
        return QColor::fromRgb(kOkabeIto[std::size_t(i)]);
    if (i < int(kOkabeIto.size() + kBeyondOkabeIto.size()))
        return QColor::fromRgb(kBeyondOkabeIto[std::size_t(i) - kOkabeIto.size()]);
    // Beyond twenty-four: golden-angle hue steps (neighbouring indices far apart in hue), three lightness levels.
    const int k = i - int(kOkabeIto.size() + kBeyondOkabeIto.size());
    const double hue = std::fmod(20.0 + 137.50776405 * k, 360.0) / 360.0;
    static constexpr std::array<double, 3> lightness = {0.42, 0.30, 0.55};
    return QColor::fromHslF(float(hue), 0.70f, float(lightness[std::size_t((k / 7) % 3)]));
}

QColor ColorMaps::sequential(double t) { return interpolate(kViridis, t); }

QColor ColorMaps::diverging(double v) { return interpolate(kDiverging, std::isnan(v) ? v : (v + 1.0) / 2.0); }

QCPColorGradient ColorMaps::sequentialGradient() { return gradientFrom(kViridis); }

QCPColorGradient ColorMaps::divergingGradient() { return gradientFrom(kDiverging); }

QColor ColorMaps::nanColor() { return QColor(200, 200, 200); }

QColor ColorMaps::neutralColor() { return QColor(150, 150, 150); }
