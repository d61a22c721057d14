#include "plots/FeaturePalette.h"

#include "plots/ColorMaps.h"

#include <QApplication>

#include <algorithm>

QColor FeaturePalette::featureColor(int i) { return ColorMaps::categorical(i); }

QCPColorGradient FeaturePalette::diverging() { return ColorMaps::divergingGradient(); }

QCPColorGradient FeaturePalette::sequential() { return ColorMaps::sequentialGradient(); }

QColor FeaturePalette::sequentialColor(double t) { return ColorMaps::sequential(t); }

QColor FeaturePalette::divergingColor(double v) { return ColorMaps::diverging(v); }

QColor FeaturePalette::droppedColor() { return QColor(160, 160, 160); }

QColor FeaturePalette::nanColor() { return ColorMaps::nanColor(); }

QColor FeaturePalette::selectionColor() { return QColor(20, 20, 20); }

QColor FeaturePalette::referenceColor() { return QColor(175, 175, 175); }

QFont FeaturePalette::font(double pointSize, bool bold)
{
    QFont f = QApplication::font();
    f.setPointSizeF(std::max(10.0, pointSize));
    f.setBold(bold);
    return f;
}

void FeaturePalette::styleAxis(QCPAxis* axis, const QString& label)
{
    axis->setTickLabelFont(font(10.0));
    axis->setLabelFont(font(11.0));
    axis->setLabel(label);
    axis->setBasePen(QPen(QColor(90, 90, 90), 1));
    axis->setTickPen(QPen(QColor(90, 90, 90), 1));
    axis->setSubTickPen(QPen(QColor(120, 120, 120), 1));
    axis->setTickLabelColor(QColor(40, 40, 40));
    axis->setLabelColor(QColor(20, 20, 20));
    axis->grid()->setSubGridVisible(false);
    axis->grid()->setPen(QPen(QColor(225, 225, 225), 0, Qt::DotLine));
    axis->grid()->setZeroLinePen(Qt::NoPen);
}
