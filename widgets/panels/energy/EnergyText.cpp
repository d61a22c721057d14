#include "panels/energy/EnergyText.h"

#include <QCoreApplication>
#include <QVector>

#include <algorithm>
#include <cmath>

namespace energytext {

namespace {

QString superscript(int n)
{
    static const char16_t digits[] = u"\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
    QString s;
    if (n < 0)
        s += QChar(u'\u207b');
    for (const QChar c : QString::number(std::abs(n)))
        s += QChar(digits[c.digitValue()]);
    return s;
}

} // namespace

QString sci(double x, int digits)
{
    if (!std::isfinite(x))
        return QStringLiteral("\u2014");
    if (x == 0.0)
        return QStringLiteral("0");
    const double a = std::abs(x);
    if (a >= 1e-2 && a < 1e4)
        return QString::number(x, 'g', std::max(digits, int(std::floor(std::log10(a))) + 1));
    int e = int(std::floor(std::log10(a)));
    double m = x / std::pow(10.0, e);
    const double scale = std::pow(10.0, digits - 1);
    m = std::round(m * scale) / scale;
    if (std::abs(m) >= 10.0) {
        m /= 10.0;
        ++e;
    }
    return QString::number(m, 'f', digits - 1) + QStringLiteral(" \u00d7 10") + superscript(e);
}

QString bitCount(double bits)
{
    return bits == 1.0 ? QCoreApplication::translate("EnergyText", "1 bit")
                       : QCoreApplication::translate("EnergyText", "%1 bits").arg(sci(bits));
}

QString times(const std::string& ascii)
{
    return QString::fromStdString(ascii).replace(QStringLiteral(" x "), QStringLiteral(" \u00d7 ")).toHtmlEscaped();
}

QString presetFigureLabel(const featurescope::HardwarePreset& p, featurescope::PresetFigure figure)
{
    return figure == featurescope::PresetFigure::Fp32 ? QStringLiteral("FP32")
                                                      : QString::fromStdString(p.dense16Precision) + QStringLiteral(" dense");
}

QString derivationHtml(const featurescope::LandauerResult& result, const QColor& formulaColor)
{
    struct Row {
        QString label, formula, value;
        bool strong = false;
    };
    QVector<Row> rows;
    for (const auto& step : result.derivation) {
        const QString value = sci(step.value, 3) + QStringLiteral(" ") + times(step.unit);
        if (step.label.rfind("  ", 0) == 0 && !rows.isEmpty()) {
            rows.last().value += QStringLiteral(" = ") + value;
            continue;
        }
        Row row{QString::fromStdString(step.label).toHtmlEscaped(), times(step.formula), value};
        row.strong = step.label.rfind("Ratio", 0) == 0;
        rows.append(row);
    }
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='1' width='100%'>");
    for (const auto& row : rows)
        html += QStringLiteral("<tr><td>%1</td><td style='color:%4; padding-left:8px;'>%2</td>"
                               "<td align='right' style='padding-left:8px;'>%3</td></tr>")
                    .arg(row.strong ? QStringLiteral("<b>%1</b>").arg(row.label) : row.label, row.formula,
                         row.strong ? QStringLiteral("<b>%1</b>").arg(row.value) : row.value,
                         formulaColor.name());
    html += QStringLiteral("</table>");
    return html;
}

} // namespace energytext
