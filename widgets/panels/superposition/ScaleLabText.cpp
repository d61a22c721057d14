#include "ScaleLabText.h"

#include <QCoreApplication>
#include <QLocale>

#include <cmath>

namespace scalelab {

QString tr(const char* text) { return QCoreApplication::translate("ScaleInvarianceTab", text); }

QString number(double value, int precision)
{
    if (!std::isfinite(value))
        return QStringLiteral("n/a");
    return QLocale::c().toString(value, 'g', precision);
}

QString grouped(int value)
{
    QString digits = QString::number(value);
    for (int k = digits.size() - 3; k > 0; k -= 3)
        digits.insert(k, QChar(0x2009)); // thin space
    return digits;
}

} // namespace scalelab
