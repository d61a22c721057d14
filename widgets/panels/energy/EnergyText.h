#pragma once

#include "energy/HardwarePreset.h"
#include "energy/LandauerCalculator.h"

#include <QColor>
#include <QString>

#include <string>

// Number and text formatting shared by the energy panel and its figures.
namespace energytext {

// 2.79 × 10⁷ for large and small numbers, plain digits in between; an em dash for NaN and infinities.
QString sci(double x, int digits = 3);
// "1 bit", "16 bits", "0.5 bits": a count of bits with its unit in the right number.
QString bitCount(double bits);
// Core's ASCII " x " as a multiplication sign, HTML-escaped.
QString times(const std::string& ascii);
// "FP32" or the chip's dense 16-bit precision ("BF16 dense").
QString presetFigureLabel(const featurescope::HardwarePreset& preset, featurescope::PresetFigure figure);
// The derivation as an HTML table, one row per step (indented sub-steps join the row above); formulas in `formulaColor`.
QString derivationHtml(const featurescope::LandauerResult& result, const QColor& formulaColor);

} // namespace energytext
