#pragma once

#include <QString>

// Number formatting shared by the scale-invariance tab's sections (C locale, so figures read the same everywhere).
namespace scalelab {

QString tr(const char* text);              // translated in the tab's context
QString number(double value, int precision = 3); // "n/a" for NaN and infinities
QString grouped(int value);                // digits grouped by thin spaces: 60 000

} // namespace scalelab
