#include "FigureExporter.h"

#include "plots/QCustomPlotInclude.h"

#include <QApplication>
#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>

namespace {

void replotAll(QWidget* widget)
{
    if (auto* plot = qobject_cast<QCustomPlot*>(widget))
        plot->replot(QCustomPlot::rpImmediateRefresh);
    for (auto* plot : widget->findChildren<QCustomPlot*>())
        if (plot->isVisible())
            plot->replot(QCustomPlot::rpImmediateRefresh);
}

// Paints `widget` and then redraws each visible plot on top with QCustomPlot's own vector painter.
void paintWithVectorPlots(QWidget* widget, QCPPainter& painter, bool transparent)
{
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
        plot->toPainter(&painter, plot->width(), plot->height());
        painter.restore();
    }
}

} // namespace

void FigureExporter::prepareWidget(QWidget* widget, const QSize& size)
{
    if (!widget->isVisible()) {
        widget->setAttribute(Qt::WA_DontShowOnScreen);
        widget->show();
    }
    widget->resize(size);
    if (widget->layout())
        widget->layout()->activate();
    QApplication::sendPostedEvents();
    replotAll(widget);
}

QString FigureExporter::exportWidget(QWidget* widget, const QString& path, const ExportOptions& options)
{
    if (!widget)
        return QStringLiteral("nothing to export");
    const QSize size = options.logicalSize;
    if (size.width() < 16 || size.height() < 16 || size.width() > 16384 || size.height() > 16384)
        return QStringLiteral("width and height must be between 16 and 16384 pixels");
    if (!(options.scale >= 0.25 && options.scale <= 8.0))
        return QStringLiteral("scale must be between 0.25 and 8");
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf") && suffix != QLatin1String("svg"))
        return QStringLiteral("unknown format '%1': use .png, .pdf or .svg").arg(suffix);

    // Whole-widget exports are laid out at the requested size; a lone plot draws itself at any size.
    auto* plot = qobject_cast<QCustomPlot*>(widget);
    QSize oldSize = widget->size();
    if (!plot)
        prepareWidget(widget, size);

    bool ok = false;
    if (suffix == QLatin1String("png")) {
        if (plot && !options.transparentBackground) {
            ok = plot->savePng(path, size.width(), size.height(), options.scale, -1, 96);
        } else {
            if (plot)
                prepareWidget(plot, size);
            QImage image(size * options.scale, QImage::Format_ARGB32_Premultiplied);
            image.setDevicePixelRatio(options.scale);
            image.fill(Qt::transparent);
            QCPPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            paintWithVectorPlots(widget, painter, options.transparentBackground);
            painter.end();
            image.setDotsPerMeterX(int(96 * options.scale / 0.0254));
            image.setDotsPerMeterY(int(96 * options.scale / 0.0254));
            ok = image.save(path, "PNG");
        }
    } else if (suffix == QLatin1String("pdf")) {
        if (plot) {
            ok = plot->savePdf(path, size.width(), size.height(), QCP::epNoCosmetic);
        } else {
            QPdfWriter writer(path);
            writer.setResolution(96);
            writer.setPageSize(QPageSize(QSizeF(size.width(), size.height()), QPageSize::Point));
            writer.setPageMargins(QMarginsF(0, 0, 0, 0));
            writer.setCreator(QStringLiteral("featurescope"));
            QCPPainter painter(&writer);
            ok = painter.isActive();
            if (ok) {
                const double sx = writer.width() / double(size.width());
                painter.scale(sx, sx);
                paintWithVectorPlots(widget, painter, options.transparentBackground);
                painter.end();
            }
        }
    } else {
        if (plot)
            prepareWidget(plot, size);
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        generator.setResolution(96);
        generator.setTitle(QStringLiteral("featurescope figure"));
        QCPPainter painter(&generator);
        ok = painter.isActive();
        if (ok) {
            paintWithVectorPlots(widget, painter, options.transparentBackground);
            painter.end();
        }
    }
    if (plot && widget->size() != oldSize && !widget->testAttribute(Qt::WA_DontShowOnScreen))
        widget->resize(oldSize);
    if (!ok)
        return QStringLiteral("could not write %1").arg(path);
    return {};
}
