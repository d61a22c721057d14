#include "Theme.h"

#include "plots/PlotTextFitter.h"
#include "plots/QCustomPlotInclude.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QLineEdit>
#include <QHeaderView>
#include <QFile>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

#include <algorithm>
#include <atomic>

namespace {

std::atomic<int> g_current{int(Theme::Id::Light)};

// Each themed attribute remembers the value the plot code chose ("fsOrig.<key>") and the value the theme set
// ("fsApplied.<key>"). If the attribute still holds the applied value, the original is reused; if the plot code
// has changed it since, the new value becomes the original. So theming is idempotent and survives re-styling.
template <class T, class F>
T themed(QObject* object, const char* key, const T& current, F&& derive)
{
    const QByteArray origKey = QByteArray("fsOrig.") + key;
    const QByteArray appliedKey = QByteArray("fsApplied.") + key;
    T original = current;
    const QVariant applied = object->property(appliedKey.constData());
    if (applied.isValid() && applied.value<T>() == current)
        original = object->property(origKey.constData()).value<T>();
    else
        object->setProperty(origKey.constData(), QVariant::fromValue(original));
    const T value = derive(original);
    object->setProperty(appliedKey.constData(), QVariant::fromValue(value));
    return value;
}

QColor mapColor(const QColor& c, const Theme::PlotPalette& p)
{
    if (!c.isValid())
        return c;
    int h = 0, s = 0, l = 0, a = 0;
    c.getHsl(&h, &s, &l, &a);
    const bool grey = s < 40;
    if (p.dark) {
        if (grey) {
            if (l >= 235) // white fills and label boxes become the background
                return QColor(p.background.red(), p.background.green(), p.background.blue(), a);
            const int fgL = p.foreground.lightness();
            return QColor::fromHsl(std::max(h, 0), s, std::min(255 - l, fgL), a);
        }
        // Navy, dark red: lift so they read on a dark background, but not so far that the Okabe-Ito blue turns into
        // its sky blue (at 150 the two were ΔE 13 apart; at 120, 22).
        if (l < 100)
            return QColor::fromHsl(h, s, 120, a);
        return c;
    }
    if (p.lineWidth > 1.0 && grey && l > 60 && l < 200) // presentation: mid greys wash out on a projector
        return QColor::fromHsl(std::max(h, 0), s, int(l * 0.6), a);
    return c;
}

QPen mapPen(const QPen& pen, const Theme::PlotPalette& p)
{
    QPen out = pen;
    out.setColor(mapColor(pen.color(), p));
    if (p.lineWidth != 1.0 && pen.style() != Qt::NoPen)
        out.setWidthF(std::max(pen.widthF(), 1.0) * p.lineWidth);
    return out;
}

QBrush mapBrush(const QBrush& brush, const Theme::PlotPalette& p)
{
    if (brush.style() != Qt::SolidPattern)
        return brush;
    QBrush out = brush;
    out.setColor(mapColor(brush.color(), p));
    return out;
}

QFont mapFont(const QFont& font, const Theme::PlotPalette& p)
{
    const double factor = p.baseFontPt / 9.0;
    QFont out = font;
    if (font.pointSizeF() > 0)
        out.setPointSizeF(font.pointSizeF() * factor);
    else if (font.pixelSize() > 0)
        out.setPixelSize(std::max(1, int(font.pixelSize() * factor + 0.5)));
    return out;
}

void themeAxis(QCPAxis* axis, const Theme::PlotPalette& p)
{
    auto pen = [&p](const QPen& v) { return mapPen(v, p); };
    auto color = [&p](const QColor& v) { return mapColor(v, p); };
    auto font = [&p](const QFont& v) { return mapFont(v, p); };
    axis->setBasePen(themed(axis, "basePen", axis->basePen(), pen));
    axis->setTickPen(themed(axis, "tickPen", axis->tickPen(), pen));
    axis->setSubTickPen(themed(axis, "subTickPen", axis->subTickPen(), pen));
    axis->setLabelColor(themed(axis, "labelColor", axis->labelColor(), color));
    axis->setTickLabelColor(themed(axis, "tickLabelColor", axis->tickLabelColor(), color));
    axis->setLabelFont(themed(axis, "labelFont", axis->labelFont(), font));
    axis->setTickLabelFont(themed(axis, "tickLabelFont", axis->tickLabelFont(), font));
    QCPGrid* grid = axis->grid();
    auto gridPen = [&p](const QColor& c) {
        return [&p, c](const QPen& v) {
            QPen out = v;
            if (v.style() != Qt::NoPen)
                out.setColor(c);
            out.setWidthF(p.lineWidth > 1.0 && v.style() != Qt::NoPen ? 1.0 : v.widthF());
            return out;
        };
    };
    grid->setPen(themed(grid, "pen", grid->pen(), gridPen(p.grid)));
    grid->setSubGridPen(themed(grid, "subGridPen", grid->subGridPen(), gridPen(p.subGrid)));
    grid->setZeroLinePen(themed(grid, "zeroLinePen", grid->zeroLinePen(), pen));
}

void themeLegend(QCPLegend* legend, const Theme::PlotPalette& p)
{
    legend->setBrush(themed(legend, "brush", legend->brush(), [&p](const QBrush& v) { return mapBrush(v, p); }));
    legend->setBorderPen(themed(legend, "borderPen", legend->borderPen(), [&p](const QPen& v) { return mapPen(v, p); }));
    const double grow = 1.0 + (p.lineWidth - 1.0) * 0.5; // as scatter markers grow, so do their legend icons
    legend->setIconSize(themed(legend, "iconSize", legend->iconSize(),
                               [grow](const QSize& v) { return QSize(int(v.width() * grow), int(v.height() * grow)); }));
    for (int i = 0; i < legend->itemCount(); ++i) {
        QCPAbstractLegendItem* item = legend->item(i);
        if (!item)
            continue;
        item->setTextColor(themed(item, "textColor", item->textColor(), [&p](const QColor& v) { return mapColor(v, p); }));
        item->setFont(themed(item, "font", item->font(), [&p](const QFont& v) { return mapFont(v, p); }));
    }
}

void themeItem(QCPAbstractItem* item, const Theme::PlotPalette& p)
{
    auto pen = [&p](const QPen& v) { return mapPen(v, p); };
    auto brush = [&p](const QBrush& v) { return mapBrush(v, p); };
    if (auto* text = qobject_cast<QCPItemText*>(item)) {
        text->setColor(themed(text, "color", text->color(), [&p](const QColor& v) { return mapColor(v, p); }));
        text->setFont(themed(text, "font", text->font(), [&p](const QFont& v) { return mapFont(v, p); }));
        text->setPen(themed(text, "pen", text->pen(), pen));
        text->setBrush(themed(text, "brush", text->brush(), brush));
    } else if (auto* line = qobject_cast<QCPItemLine*>(item)) {
        line->setPen(themed(line, "pen", line->pen(), pen));
    } else if (auto* straight = qobject_cast<QCPItemStraightLine*>(item)) {
        straight->setPen(themed(straight, "pen", straight->pen(), pen));
    } else if (auto* curve = qobject_cast<QCPItemCurve*>(item)) {
        curve->setPen(themed(curve, "pen", curve->pen(), pen));
    } else if (auto* rect = qobject_cast<QCPItemRect*>(item)) {
        rect->setPen(themed(rect, "pen", rect->pen(), pen));
        rect->setBrush(themed(rect, "brush", rect->brush(), brush));
    } else if (auto* ellipse = qobject_cast<QCPItemEllipse*>(item)) {
        ellipse->setPen(themed(ellipse, "pen", ellipse->pen(), pen));
        ellipse->setBrush(themed(ellipse, "brush", ellipse->brush(), brush));
    } else if (auto* tracer = qobject_cast<QCPItemTracer*>(item)) {
        tracer->setPen(themed(tracer, "pen", tracer->pen(), pen));
        tracer->setBrush(themed(tracer, "brush", tracer->brush(), brush));
    } else if (auto* bracket = qobject_cast<QCPItemBracket*>(item)) {
        bracket->setPen(themed(bracket, "pen", bracket->pen(), pen));
    }
}

QCPScatterStyle themeScatter(QObject* owner, const QCPScatterStyle& style, const Theme::PlotPalette& p)
{
    if (style.isNone())
        return style;
    QCPScatterStyle out = style;
    const double grow = 1.0 + (p.lineWidth - 1.0) * 0.5;
    out.setSize(themed(owner, "scatterSize", style.size(), [grow](double v) { return v * grow; }));
    if (style.isPenDefined())
        out.setPen(themed(owner, "scatterPen", style.pen(), [&p](const QPen& v) { return mapPen(v, p); }));
    out.setBrush(themed(owner, "scatterBrush", style.brush(), [&p](const QBrush& v) { return mapBrush(v, p); }));
    return out;
}

void themePlottable(QCPAbstractPlottable* plottable, const Theme::PlotPalette& palette)
{
    if (qobject_cast<QCPColorMap*>(plottable))
        return;
    Theme::PlotPalette p = palette;
    if (plottable->property(Theme::kKeepColours).toBool())
        p.dark = false; // no lifting or inverting for the dark background
    plottable->setPen(themed(plottable, "pen", plottable->pen(), [&p](const QPen& v) { return mapPen(v, p); }));
    plottable->setBrush(themed(plottable, "brush", plottable->brush(), [&p](const QBrush& v) { return mapBrush(v, p); }));
    if (auto* graph = qobject_cast<QCPGraph*>(plottable))
        graph->setScatterStyle(themeScatter(graph, graph->scatterStyle(), p));
    else if (auto* curve = qobject_cast<QCPCurve*>(plottable))
        curve->setScatterStyle(themeScatter(curve, curve->scatterStyle(), p));
}

QPalette widgetPalette(Theme::Id id)
{
    QPalette pal = QStyleFactory::create(QStringLiteral("Fusion"))->standardPalette();
    if (id == Theme::Id::Dark) {
        const QColor window(0x25, 0x27, 0x2b), base(0x1b, 0x1c, 0x1f), text(0xe4, 0xe4, 0xe4);
        pal.setColor(QPalette::Window, window);
        pal.setColor(QPalette::WindowText, text);
        pal.setColor(QPalette::Base, base);
        pal.setColor(QPalette::AlternateBase, QColor(0x2c, 0x2e, 0x33));
        pal.setColor(QPalette::ToolTipBase, QColor(0x33, 0x36, 0x3b));
        pal.setColor(QPalette::ToolTipText, text);
        pal.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8e, 0x96));
        pal.setColor(QPalette::Text, text);
        pal.setColor(QPalette::Button, QColor(0x33, 0x36, 0x3b));
        pal.setColor(QPalette::ButtonText, text);
        pal.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
        pal.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4f));
        pal.setColor(QPalette::Midlight, QColor(0x3a, 0x3d, 0x43));
        pal.setColor(QPalette::Mid, QColor(0x9a, 0x9e, 0xa6)); // used as "secondary text" by the panels
        pal.setColor(QPalette::Dark, QColor(0x15, 0x16, 0x18));
        pal.setColor(QPalette::Shadow, QColor(0x0b, 0x0b, 0x0c));
        pal.setColor(QPalette::Highlight, QColor(0x4a, 0x8f, 0xd9));
        pal.setColor(QPalette::HighlightedText, Qt::white);
        pal.setColor(QPalette::Link, QColor(0x7a, 0xb4, 0xff));
        pal.setColor(QPalette::Disabled, QPalette::Text, QColor(0x6c, 0x70, 0x77));
        pal.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x6c, 0x70, 0x77));
        pal.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x6c, 0x70, 0x77));
    } else if (id == Theme::Id::Light) {
        // Mid is the panels' "secondary text" (descriptions, notes): Fusion's #a0a0a0 reads at 2.3:1 on the window;
        // this grey reads at 5:1 (WCAG asks 4.5:1 for body text).
        pal.setColor(QPalette::Mid, QColor(0x64, 0x68, 0x70));
    } else if (id == Theme::Id::Presentation) {
        pal.setColor(QPalette::Window, Qt::white);
        pal.setColor(QPalette::WindowText, Qt::black);
        pal.setColor(QPalette::Text, Qt::black);
        pal.setColor(QPalette::ButtonText, Qt::black);
        pal.setColor(QPalette::Mid, QColor(0x33, 0x33, 0x33));
        pal.setColor(QPalette::Highlight, QColor(0x00, 0x47, 0xab));
        pal.setColor(QPalette::HighlightedText, Qt::white);
        // setColor above set every colour group; disabled controls must still look disabled on a projector.
        for (QPalette::ColorRole role : {QPalette::Text, QPalette::WindowText, QPalette::ButtonText})
            pal.setColor(QPalette::Disabled, role, QColor(0x8a, 0x8a, 0x8a));
    }
    return pal;
}

} // namespace

Theme::Id Theme::current() { return Id(g_current.load()); }

QString Theme::name(Id id)
{
    switch (id) {
    case Id::Dark: return QStringLiteral("dark");
    case Id::Presentation: return QStringLiteral("presentation");
    case Id::Light: break;
    }
    return QStringLiteral("light");
}

std::optional<Theme::Id> Theme::fromName(const QString& name)
{
    for (Id id : {Id::Light, Id::Dark, Id::Presentation})
        if (name.compare(Theme::name(id), Qt::CaseInsensitive) == 0)
            return id;
    return std::nullopt;
}

Theme::PlotPalette Theme::plotPalette(Id id)
{
    PlotPalette p;
    switch (id) {
    case Id::Dark:
        p.background = QColor(0x1b, 0x1c, 0x1f);
        p.foreground = QColor(0xe4, 0xe4, 0xe4);
        p.grid = QColor(0x3b, 0x3f, 0x46);
        p.subGrid = QColor(0x2c, 0x2f, 0x34);
        p.dark = true;
        break;
    case Id::Presentation:
        p.background = Qt::white;
        p.foreground = Qt::black;
        p.grid = QColor(0xb4, 0xb4, 0xb4);
        p.subGrid = QColor(0xdc, 0xdc, 0xdc);
        p.lineWidth = 2.0;
        p.baseFontPt = 13.0;
        break;
    case Id::Light:
        p.background = Qt::white;
        p.foreground = QColor(0x1f, 0x1f, 0x1f);
        p.grid = QColor(0xda, 0xda, 0xda);
        p.subGrid = QColor(0xee, 0xee, 0xee);
        break;
    }
    return p;
}

void Theme::apply(QApplication& app, Id id)
{
    g_current.store(int(id));
    if (QString::compare(app.style()->name(), QStringLiteral("fusion"), Qt::CaseInsensitive) != 0)
        QApplication::setStyle(QStringLiteral("Fusion"));
    QApplication::setPalette(widgetPalette(id));
    QFile qss(QStringLiteral(":/themes/%1.qss").arg(name(id)));
    app.setStyleSheet(qss.open(QIODevice::ReadOnly) ? QString::fromUtf8(qss.readAll()) : QString());
    // Qt copies a style-sheet font onto a spin box's line edit and an item view's headers as their own font, so the
    // presentation theme's large text stayed there after switching back. Those children inherit again here.
    for (QWidget* widget : QApplication::allWidgets()) {
        if (auto* spin = qobject_cast<QAbstractSpinBox*>(widget->parentWidget()); spin && qobject_cast<QLineEdit*>(widget))
            widget->setFont(spin->font());
        else if (qobject_cast<QHeaderView*>(widget) && widget->parentWidget())
            widget->setFont(widget->parentWidget()->font());
    }
}

QColor Theme::dataColor(const QColor& color) { return mapColor(color, plotPalette()); }

void Theme::applyToPlot(QCustomPlot* plot) { applyToPlot(plot, current()); }

void Theme::applyToPlot(QCustomPlot* plot, Id id)
{
    if (!plot)
        return;
    const PlotPalette p = plotPalette(id);
    plot->setBackground(p.background);
    QList<QCPAxis*> axes;
    const auto elements = plot->plotLayout()->elements(true);
    for (QCPLayoutElement* element : elements) {
        if (auto* rect = qobject_cast<QCPAxisRect*>(element)) {
            rect->setBackground(themed(rect, "background", rect->backgroundBrush(),
                                       [&p](const QBrush& v) { return mapBrush(v, p); }));
            axes += rect->axes();
        } else if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
            if (scale->axis())
                axes += scale->axis();
        } else if (auto* legend = qobject_cast<QCPLegend*>(element)) {
            themeLegend(legend, p);
        } else if (auto* text = qobject_cast<QCPTextElement*>(element)) {
            text->setTextColor(themed(text, "textColor", text->textColor(), [&p](const QColor& v) { return mapColor(v, p); }));
            text->setFont(themed(text, "font", text->font(), [&p](const QFont& v) { return mapFont(v, p); }));
        }
    }
    for (QCPAxis* axis : axes)
        themeAxis(axis, p);
    for (int i = 0; i < plot->plottableCount(); ++i)
        themePlottable(plot->plottable(i), p);
    for (int i = 0; i < plot->itemCount(); ++i)
        themeItem(plot->item(i), p);
    plot->setProperty("fsTheme", name(id));
}

void Theme::applyToPlots(QWidget* widget)
{
    if (!widget)
        return;
    QList<QCustomPlot*> plots = widget->findChildren<QCustomPlot*>();
    if (auto* plot = qobject_cast<QCustomPlot*>(widget))
        plots.prepend(plot);
    for (QCustomPlot* plot : plots) {
        applyToPlot(plot);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void Theme::follow(QCustomPlot* plot)
{
    if (!plot || plot->property("fsFollowsTheme").toBool())
        return;
    plot->setProperty("fsFollowsTheme", true);
    QObject::connect(plot, &QCustomPlot::beforeReplot, plot, [plot] { applyToPlot(plot); });
    PlotTextFitter::follow(plot); // after the theme's fonts: wrap what no longer fits
}

void Theme::followAll(QWidget* widget)
{
    if (!widget)
        return;
    if (auto* plot = qobject_cast<QCustomPlot*>(widget))
        follow(plot);
    for (QCustomPlot* plot : widget->findChildren<QCustomPlot*>())
        follow(plot);
}
