#include "FigureExporter.h"

#include "FigureText.h"
#include "Panel.h"
#include "ControlsScrollArea.h"
#include "Theme.h"
#include "plots/FeatureArrowsPlot.h"
#include "plots/FreshAxisMargins.h"
#include "plots/GramHeatmapPlot.h"
#include "plots/LossCurvePlot.h"
#include "plots/NeuronBarsPlot.h"
#include "plots/NormBarsPlot.h"
#include "plots/PlotTextFitter.h"
#include "plots/StickyFractionPlot.h"
#include "plots/QCustomPlotInclude.h"

#include "io/AtomicFileWriter.h"

#include <QApplication>
#include <QBuffer>
#include <QFileInfo>
#include <QImage>
#include <QLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QPointer>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

namespace {

QList<QCustomPlot*> plotsIn(QWidget* widget)
{
    QList<QCustomPlot*> plots = widget->findChildren<QCustomPlot*>();
    if (auto* plot = qobject_cast<QCustomPlot*>(widget))
        plots.prepend(plot);
    return plots;
}

void replotAll(QWidget* widget)
{
    for (auto* plot : plotsIn(widget))
        if (plot == widget || plot->isVisible())
            plot->replot(QCustomPlot::rpImmediateRefresh);
}

// Clears the selection highlight of every plot in the exported widget and restores it afterwards.
// Hides a panel's control columns for the duration of an export: a whole-panel figure is its views, not its spin
// boxes (the layout gives their room to the views).
class ControlsHider {
public:
    ControlsHider(QWidget* widget, bool hide)
    {
        if (!hide || !widget)
            return;
        for (QWidget* child : widget->findChildren<QWidget*>()) {
            const bool control = qobject_cast<ControlsScrollArea*>(child) ||
                                 child->property(FigureExporter::kControlsProperty).toBool();
            if (control && !child->isHidden()) {
                child->hide();
                m_hidden.append(child);
            }
        }
    }
    ~ControlsHider()
    {
        for (const QPointer<QWidget>& controls : m_hidden)
            if (controls)
                controls->show();
    }
    ControlsHider(const ControlsHider&) = delete;
    ControlsHider& operator=(const ControlsHider&) = delete;

private:
    QList<QPointer<QWidget>> m_hidden;
};

class SelectionHider {
public:
    SelectionHider(QWidget* widget, bool hide)
    {
        if (!hide)
            return;
        for (QCustomPlot* plot : plotsIn(widget)) {
            hideFeature<FeatureArrowsPlot>(plot);
            hideFeature<GramHeatmapPlot>(plot);
            hideFeature<NormBarsPlot>(plot);
            hideFeature<StickyFractionPlot>(plot);
            hideFeature<NeuronBarsPlot>(plot);
            if (auto* loss = qobject_cast<LossCurvePlot*>(plot); loss && loss->selectedInstance() >= 0) {
                const int previous = loss->selectedInstance();
                QPointer<LossCurvePlot> guard(loss);
                loss->setSelectedInstance(-1);
                m_restore.push_back([guard, previous] { if (guard) guard->setSelectedInstance(previous); });
            }
        }
    }
    ~SelectionHider()
    {
        for (auto& restore : m_restore)
            restore();
    }
    SelectionHider(const SelectionHider&) = delete;
    SelectionHider& operator=(const SelectionHider&) = delete;

private:
    template <class P>
    void hideFeature(QCustomPlot* plot)
    {
        auto* typed = qobject_cast<P*>(plot);
        if (!typed || typed->selectedFeature() < 0)
            return;
        const int previous = typed->selectedFeature();
        QPointer<P> guard(typed);
        typed->setSelectedFeature(-1);
        m_restore.push_back([guard, previous] { if (guard) guard->setSelectedFeature(previous); });
    }
    std::vector<std::function<void()>> m_restore;
};

// Themes the plots for the export and applies text overrides; with a transparent background, clears plot and axis-rect backgrounds too.
// Afterwards the plots are themed again, which restores their backgrounds.
class PlotStyler {
public:
    PlotStyler(QWidget* widget, bool transparent)
    {
        for (QCustomPlot* plot : plotsIn(widget)) {
            m_plots.append(plot);
            // toPainter/savePdf draw without replotting, so the user's text overrides are applied here too.
            FigureText::apply(plot);
            Theme::applyToPlot(plot);
            FreshAxisMargins::invalidate(plot);
            if (transparent) {
                plot->setBackground(Qt::NoBrush);
                for (QCPAxisRect* rect : plot->axisRects())
                    rect->setBackground(Qt::NoBrush);
            }
        }
        m_transparent = transparent;
    }
    ~PlotStyler()
    {
        if (!m_transparent)
            return;
        for (const QPointer<QCustomPlot>& plot : m_plots)
            if (plot) {
                Theme::applyToPlot(plot);
                plot->replot(QCustomPlot::rpQueuedReplot);
            }
    }
    PlotStyler(const PlotStyler&) = delete;
    PlotStyler& operator=(const PlotStyler&) = delete;

private:
    QList<QPointer<QCustomPlot>> m_plots;
    bool m_transparent = false;
};

// Paints `widget` and then redraws each visible plot on top with QCustomPlot's own vector painter.
void paintWithVectorPlots(QWidget* widget, QCPPainter& painter, const QSize& size, bool transparent)
{
    if (auto* plot = qobject_cast<QCustomPlot*>(widget)) {
        // toPainter lays the plot out at the requested size without resizing the widget on screen.
        PlotTextFitter::settle(plot, size);
        plot->toPainter(&painter, size.width(), size.height());
        return;
    }
    if (!transparent)
        painter.fillRect(QRect(QPoint(0, 0), widget->size()), widget->palette().window());
    widget->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
    const auto plots = widget->findChildren<QCustomPlot*>();
    for (auto* plot : plots) {
        if (!plot->isVisibleTo(widget) || plot->width() <= 0 || plot->height() <= 0)
            continue;
        painter.save();
        painter.translate(plot->mapTo(widget, QPoint(0, 0)));
        painter.setClipRect(QRect(QPoint(0, 0), plot->size()));
        PlotTextFitter::settle(plot, plot->size());
        plot->toPainter(&painter, plot->width(), plot->height());
        painter.restore();
    }
}

QString writeAtomically(const QString& path, const QByteArray& bytes)
{
    try {
        featurescope::AtomicFileWriter::writeFile(path.toStdString(), bytes.toStdString());
    } catch (const std::exception& error) {
        return QString::fromStdString(error.what()); // "<path>: cannot write the file (<reason>)"
    }
    return {};
}

QString validate(QWidget* widget, const ExportOptions& options)
{
    if (!widget)
        return QStringLiteral("nothing to export");
    const QSize size = options.logicalSize;
    if (size.width() < 16 || size.height() < 16 || size.width() > 16384 || size.height() > 16384)
        return QStringLiteral("width and height must be between 16 and 16384 pixels");
    if (!(options.scale >= 0.25 && options.scale <= 8.0))
        return QStringLiteral("scale must be between 0.25 and 8");
    if (double(size.width()) * size.height() * options.scale * options.scale > 400e6)
        return QStringLiteral("the image would be larger than 400 megapixels");
    return {};
}

QSize layoutSize(const QSize& size, double factor)
{
    return QSize(int(std::lround(size.width() * factor)), int(std::lround(size.height() * factor)));
}

// A figure is laid out larger than the requested size when its contents need the room (its minimum size hint: a
// plot's says how large its columns, titles and legend must be), and drawn scaled down to that size. A whole panel
// also gets at least the room it was designed for, 1280x720 in the light theme's font, scaled with the theme's font
// size: presentation fonts are about 1.4x larger, and a presentation-theme panel at 1280x720 clipped its controls and
// squeezed its plots; at 1920x1080 it fits as it is. Other composites get at least 960x540. A single plot on a page is scaled down no further than keeps its
// tick labels at 14 pt (readable from the back of a room), where they were larger.
double layoutFactor(QWidget* widget, const ExportOptions& options)
{
    const QSize size = options.logicalSize;
    QSize needed = widget->minimumSizeHint();
    const double fontScale = Theme::plotPalette().baseFontPt / Theme::PlotPalette{}.baseFontPt;
    if (qobject_cast<Panel*>(widget)) {
        needed = needed.expandedTo(QSize(int(std::ceil(1280 * fontScale)), int(std::ceil(720 * fontScale))));
    } else if (!qobject_cast<QCustomPlot*>(widget)) {
        // A composite figure (the scale lab: text above and below two plots) on a slide-sized page was laid out at
        // about 600 x 340 px, which left its plots a few lines tall: at least 960 x 540 keeps them plots.
        needed = needed.expandedTo(QSize(int(std::ceil(960 * fontScale)), int(std::ceil(540 * fontScale))));
    }
    double factor = 1.0;
    if (needed.isValid()) {
        factor = std::max(factor, needed.width() / double(size.width()));
        factor = std::max(factor, needed.height() / double(size.height()));
    }
    if (qobject_cast<QCustomPlot*>(widget) && !options.pagePoints.isEmpty()) {
        const double tickPt = 10.0 * Theme::plotPalette().baseFontPt / Theme::PlotPalette{}.baseFontPt * options.pageScale();
        factor = std::min(factor, std::max(1.0, tickPt / 14.0));
    }
    return std::min(factor, 4.0);
}

// Lays a composite widget out at the export size and restores its on-screen size afterwards.
class LayoutGuard {
public:
    LayoutGuard(QWidget* widget, const QSize& size) : m_widget(widget), m_oldSize(widget->size())
    {
        m_onScreen = widget->isVisible() && !widget->testAttribute(Qt::WA_DontShowOnScreen);
        FigureExporter::prepareWidget(widget, size);
    }
    ~LayoutGuard()
    {
        if (!m_widget || !m_onScreen || m_widget->size() == m_oldSize)
            return;
        m_widget->resize(m_oldSize);
        if (QWidget* parent = m_widget->parentWidget(); parent && parent->layout())
            parent->layout()->invalidate();
        replotAll(m_widget);
    }
    LayoutGuard(const LayoutGuard&) = delete;
    LayoutGuard& operator=(const LayoutGuard&) = delete;

private:
    QPointer<QWidget> m_widget;
    QSize m_oldSize;
    bool m_onScreen = false;
};

QImage paintImage(QWidget* widget, const ExportOptions& options, double factor)
{
    const QSize size = options.logicalSize;
    QImage image(size * options.scale, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull())
        return image;
    image.setDevicePixelRatio(options.scale);
    image.fill(Qt::transparent);
    QCPPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(1.0 / factor, 1.0 / factor);
    paintWithVectorPlots(widget, painter, layoutSize(size, factor), options.transparentBackground);
    painter.end();
    // A page-sized figure records its page's resolution, so a slide program places it at its size in inches.
    const double dpi = options.pagePoints.isEmpty() ? 96 * options.scale
                                                    : image.width() / (options.pagePoints.width() / 72.0);
    image.setDotsPerMeterX(int(std::lround(dpi / 0.0254)));
    image.setDotsPerMeterY(int(std::lround(dpi / 0.0254)));
    return image;
}

} // namespace

void FigureExporter::prepareWidget(QWidget* widget, const QSize& size)
{
    if (!widget->isVisible()) {
        widget->setAttribute(Qt::WA_DontShowOnScreen);
        widget->show();
    }
    // A widget of several parts gets at least the room its layout needs, however small the page: squeezed below it,
    // its plots' own layouts are aborted (QCustomPlot warns for each). A figure inside it is drawn at its own size.
    widget->resize(qobject_cast<QCustomPlot*>(widget) ? size : size.expandedTo(widget->minimumSizeHint()));
    if (widget->layout())
        widget->layout()->activate();
    // Nested layouts post their requests: settle them now, for this widget's tree only.
    QApplication::sendPostedEvents(widget, QEvent::LayoutRequest);
    for (QWidget* child : widget->findChildren<QWidget*>())
        QApplication::sendPostedEvents(child, QEvent::LayoutRequest);
    replotAll(widget);
}

QImage FigureExporter::renderImage(QWidget* widget, const ExportOptions& options, QString* error)
{
    const QString problem = validate(widget, options);
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return {};
    }
    ControlsHider controls(widget, !options.includeControls);
    SelectionHider hider(widget, !options.includeSelection);
    PlotStyler styler(widget, options.transparentBackground);
    const double factor = layoutFactor(widget, options);
    std::unique_ptr<LayoutGuard> layout;
    if (!qobject_cast<QCustomPlot*>(widget))
        layout = std::make_unique<LayoutGuard>(widget, layoutSize(options.logicalSize, factor));
    QImage image = paintImage(widget, options, factor);
    if (!image.isNull() && options.tight)
        image = cropToContent(image, int(std::lround(8 * options.scale)));
    if (image.isNull() && error)
        *error = QStringLiteral("out of memory for a %1×%2 image").arg(options.logicalSize.width()).arg(options.logicalSize.height());
    return image;
}

QImage FigureExporter::cropToContent(const QImage& image, int margin)
{
    if (image.isNull())
        return image;
    const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
    const QRgb background = argb.pixel(0, 0);
    auto differs = [&](QRgb p) {
        return std::abs(qRed(p) - qRed(background)) + std::abs(qGreen(p) - qGreen(background)) +
                   std::abs(qBlue(p) - qBlue(background)) + std::abs(qAlpha(p) - qAlpha(background)) > 12;
    };
    int left = argb.width(), right = -1, top = argb.height(), bottom = -1;
    for (int y = 0; y < argb.height(); ++y) {
        const auto* row = reinterpret_cast<const QRgb*>(argb.constScanLine(y));
        for (int x = 0; x < argb.width(); ++x)
            if (differs(row[x])) {
                left = std::min(left, x);
                right = std::max(right, x);
                top = std::min(top, y);
                bottom = std::max(bottom, y);
            }
    }
    if (right < 0)
        return image; // nothing drawn: keep the canvas
    const QRect box = QRect(QPoint(left, top), QPoint(right, bottom)).adjusted(-margin, -margin, margin, margin)
                          .intersected(image.rect());
    return image.copy(box);
}

ExportOptions ExportOptions::forPage(QSizeF inches, double tickPt, double dpi)
{
    ExportOptions options;
    // The plots' smallest text (tick labels, legends) is 10 pt in the light theme and grows with the theme's fonts.
    const double base = 10.0 * Theme::plotPalette().baseFontPt / Theme::PlotPalette{}.baseFontPt;
    const double pixelsPerInch = 96.0 * base / std::max(1.0, tickPt);
    options.logicalSize = QSize(std::max(16, int(std::lround(inches.width() * pixelsPerInch))),
                                std::max(16, int(std::lround(inches.height() * pixelsPerInch))));
    options.pagePoints = QSizeF(inches.width() * 72.0, inches.height() * 72.0);
    options.scale = std::clamp(inches.width() * dpi / options.logicalSize.width(), 0.25, 8.0);
    return options;
}

double ExportOptions::pageScale() const
{
    // A layout pixel is 72/96 pt at 96 dpi; the page maps logicalSize onto pagePoints.
    return pagePoints.isEmpty() || logicalSize.width() <= 0 ? 1.0
                                                             : pagePoints.width() / (logicalSize.width() * 72.0 / 96.0);
}

QString FigureExporter::exportWidget(QWidget* widget, const QString& path, const ExportOptions& options)
{
    const QString problem = validate(widget, options);
    if (!problem.isEmpty())
        return problem;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf") && suffix != QLatin1String("svg"))
        return QStringLiteral("unknown format '%1': use .png, .pdf or .svg").arg(suffix);

    // Every format is encoded in memory, its painter's end() checked, then written by the one atomic writer: a
    // full disk or a failed encoder never leaves a partial file at `path`, and every error is one line.
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (suffix == QLatin1String("png")) {
        QString error;
        const QImage image = renderImage(widget, options, &error);
        if (image.isNull())
            return error;
        if (!image.save(&buffer, "PNG"))
            return QStringLiteral("%1: could not encode the PNG").arg(path);
        return writeAtomically(path, bytes);
    }

    const QSize size = options.logicalSize;
    ControlsHider controls(widget, !options.includeControls);
    SelectionHider hider(widget, !options.includeSelection);
    PlotStyler styler(widget, options.transparentBackground);
    auto* plot = qobject_cast<QCustomPlot*>(widget);
    const double factor = layoutFactor(widget, options);
    const QSize laidOut = layoutSize(size, factor);
    std::unique_ptr<LayoutGuard> layout;
    if (!plot)
        layout = std::make_unique<LayoutGuard>(widget, laidOut);

    bool ok = false;
    if (suffix == QLatin1String("pdf")) {
        QPdfWriter writer(&buffer);
        writer.setResolution(96);
        const QSizeF page = options.pagePoints.isEmpty() ? QSizeF(size.width(), size.height()) : options.pagePoints;
        writer.setPageSize(QPageSize(page, QPageSize::Point));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setCreator(QStringLiteral("featurescope"));
        QCPPainter painter(&writer);
        ok = painter.isActive();
        if (ok) {
            if (plot) { // as QCustomPlot's savePdf(..., epNoCosmetic): cosmetic pens become real widths
                painter.setMode(QCPPainter::pmVectorized);
                painter.setMode(QCPPainter::pmNonCosmetic);
            }
            const double sx = writer.width() / double(size.width());
            painter.scale(sx / factor, sx / factor);
            paintWithVectorPlots(widget, painter, laidOut, options.transparentBackground);
            ok = painter.end();
        }
    } else {
        QSvgGenerator generator;
        generator.setOutputDevice(&buffer);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        // The SVG's width and height attributes carry the physical size: logical pixels per inch of the page.
        generator.setResolution(options.pagePoints.isEmpty()
                                    ? 96
                                    : std::max(1, int(std::lround(size.width() * 72.0 / options.pagePoints.width()))));
        generator.setTitle(QStringLiteral("featurescope figure"));
        QCPPainter painter(&generator);
        ok = painter.isActive();
        if (ok) {
            painter.scale(1.0 / factor, 1.0 / factor);
            paintWithVectorPlots(widget, painter, laidOut, options.transparentBackground);
            ok = painter.end();
        }
    }
    if (!ok)
        return QStringLiteral("%1: could not draw the %2").arg(path, suffix.toUpper());
    return writeAtomically(path, bytes);
}
