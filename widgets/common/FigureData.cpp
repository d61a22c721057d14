#include "FigureData.h"

#include "plots/QCustomPlotInclude.h"

#include "common/InputError.h"
#include "io/NpzArchive.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <cmath>
#include <map>

namespace {

// A Python string literal (JSON's escapes are Python's; ASCII only, so any file encoding reads it).
QString py(const QString& text) { return QString::fromStdString(nlohmann::json(text.toStdString()).dump(-1, ' ', true)); }
QString py(bool value) { return value ? QStringLiteral("True") : QStringLiteral("False"); }
QString py(double value)
{
    return std::isfinite(value) ? QString::number(value, 'g', 10) : QStringLiteral("float(\"nan\")");
}
QString csvField(const QString& text) { return QLatin1Char('"') + QString(text).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"'); }
QString number(double value) { return std::isfinite(value) ? QString::number(value, 'g', 9) : QStringLiteral("nan"); }

QString axisMeta(QCPAxis* axis)
{
    QString ticks;
    if (const auto text = axis->ticker().dynamicCast<QCPAxisTickerText>()) {
        QStringList pairs;
        for (auto it = text->ticks().constBegin(); it != text->ticks().constEnd(); ++it)
            pairs << QStringLiteral("(%1, %2)").arg(py(it.key()), py(it.value()));
        ticks = QStringLiteral("[%1]").arg(pairs.join(QStringLiteral(", ")));
    } else {
        ticks = QStringLiteral("None");
    }
    return QStringLiteral("{\"label\": %1, \"log\": %2, \"lim\": (%3, %4), \"ticks\": %5}")
        .arg(py(axis->label()), py(axis->scaleType() == QCPAxis::stLogarithmic), py(axis->range().lower),
             py(axis->range().upper), ticks);
}

QColor seriesColour(QCPAbstractPlottable* plottable)
{
    if (auto* graph = qobject_cast<QCPGraph*>(plottable); graph && graph->lineStyle() == QCPGraph::lsNone) {
        const QCPScatterStyle& s = graph->scatterStyle();
        return s.brush().style() != Qt::NoBrush ? s.brush().color() : s.pen().color();
    }
    if (qobject_cast<QCPBars*>(plottable))
        return plottable->brush().color();
    return plottable->pen().color();
}

} // namespace

QStringList FigureData::columns()
{
    return {QStringLiteral("plot"), QStringLiteral("axes"),  QStringLiteral("series"), QStringLiteral("style"),
            QStringLiteral("color"), QStringLiteral("x"), QStringLiteral("y")};
}

QString FigureData::write(QWidget* figure, const QString& basePath, const QString& title, Files* files)
{
    QList<QCustomPlot*> plots;
    if (auto* plot = qobject_cast<QCustomPlot*>(figure))
        plots << plot;
    else if (figure)
        plots = figure->findChildren<QCustomPlot*>();
    if (plots.isEmpty())
        return QStringLiteral("the figure has no plot whose data could be written");
    const QString name = QFileInfo(basePath).fileName();
    Files out{basePath + QStringLiteral(".csv"), QString(), basePath + QStringLiteral(".py")};

    QString csv = columns().join(QLatin1Char(',')) + QLatin1Char('\n');
    QStringList axesMeta, mapsMeta, headings;
    std::vector<featurescope::NpzArchive::NamedArray> arrays;
    for (int p = 0; p < plots.size(); ++p) {
        QCustomPlot* plot = plots[p];
        for (QCPLayoutElement* element : plot->plotLayout()->elements(true))
            if (auto* text = qobject_cast<QCPTextElement*>(element); text && !text->text().isEmpty())
                headings << text->text();
        const QList<QCPAxisRect*> rects = plot->axisRects();
        for (int a = 0; a < rects.size(); ++a) {
            QCPAxisRect* rect = rects[a];
            axesMeta << QStringLiteral("    (%1, %2): {\"x\": %3, \"y\": %4},")
                            .arg(p)
                            .arg(a)
                            .arg(axisMeta(rect->axis(QCPAxis::atBottom)), axisMeta(rect->axis(QCPAxis::atLeft)));
        }
        int mapIndex = 0;
        for (int k = 0; k < plot->plottableCount(); ++k) {
            QCPAbstractPlottable* plottable = plot->plottable(k);
            if (!plottable->visible() || !plottable->keyAxis())
                continue;
            const int a = int(rects.indexOf(plottable->keyAxis()->axisRect()));
            const bool vertical = plottable->keyAxis()->orientation() == Qt::Vertical;
            const QString series = plottable->name().isEmpty() ? QStringLiteral("series %1").arg(k) : plottable->name();
            const QString colour = seriesColour(plottable).name();
            auto row = [&](const QString& style, double key, double value) {
                const double x = vertical ? value : key, y = vertical ? key : value;
                csv += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                           .arg(p)
                           .arg(a)
                           .arg(csvField(series), style, colour, number(x), number(y));
            };
            if (auto* graph = qobject_cast<QCPGraph*>(plottable)) {
                const QString style = graph->lineStyle() == QCPGraph::lsNone ? QStringLiteral("scatter") : QStringLiteral("line");
                for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
                    row(style, it->key, it->value);
            } else if (auto* curve = qobject_cast<QCPCurve*>(plottable)) {
                const QString style = curve->lineStyle() == QCPCurve::lsNone ? QStringLiteral("scatter") : QStringLiteral("line");
                for (auto it = curve->data()->constBegin(); it != curve->data()->constEnd(); ++it)
                    row(style, it->key, it->value);
            } else if (auto* bars = qobject_cast<QCPBars*>(plottable)) {
                for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
                    row(vertical ? QStringLiteral("barh") : QStringLiteral("bar"), it->key, it->value);
            } else if (auto* map = qobject_cast<QCPColorMap*>(plottable)) {
                QCPColorMapData* data = map->data();
                if (data->keySize() <= 0 || data->valueSize() <= 0)
                    continue;
                std::vector<double> values(std::size_t(data->keySize()) * std::size_t(data->valueSize()));
                for (int v = 0; v < data->valueSize(); ++v)
                    for (int c = 0; c < data->keySize(); ++c)
                        values[std::size_t(v) * std::size_t(data->keySize()) + std::size_t(c)] = data->cell(c, v);
                const QString array = QStringLiteral("p%1_a%2_map%3").arg(p).arg(a).arg(mapIndex++);
                arrays.push_back({array.toStdString(),
                                  featurescope::ArrayData::fromDoubles({std::uint64_t(data->valueSize()), std::uint64_t(data->keySize())},
                                                                       values.data())});
                // The map's cells span its own axes' range; a map on hidden linear axes in log10 units over log axes
                // (the phase diagram) is placed on the visible ones by 10**.
                QCPAxis* bottom = a >= 0 ? rects[a]->axis(QCPAxis::atBottom) : nullptr;
                const bool logUnits = bottom && map->keyAxis() != bottom && bottom->scaleType() == QCPAxis::stLogarithmic;
                QStringList colours;
                for (int level = 0; level < 64; ++level)
                    colours << py(QColor::fromRgba(map->gradient().color(level / 63.0, QCPRange(0, 1))).name());
                mapsMeta << QStringLiteral("    {\"axes\": (%1, %2), \"array\": %3, \"x\": (%4, %5), \"y\": (%6, %7), "
                                           "\"log_units\": %8, \"range\": (%9, %10), \"colors\": [%11]},")
                                .arg(p)
                                .arg(a)
                                .arg(py(array), py(data->keyRange().lower), py(data->keyRange().upper),
                                     py(data->valueRange().lower), py(data->valueRange().upper), py(logUnits),
                                     py(map->dataRange().lower), py(map->dataRange().upper))
                                .arg(colours.join(QStringLiteral(", ")));
            }
        }
    }

    auto save = [](const QString& path, const QString& text) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text.toUtf8()) < 0)
            return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return QString();
    };
    if (const QString error = save(out.csv, csv); !error.isEmpty())
        return error;
    if (!arrays.empty()) {
        out.npz = basePath + QStringLiteral(".npz");
        try {
            featurescope::NpzArchive::write(out.npz.toStdString(), arrays);
        } catch (const featurescope::InputError& error) {
            return QString::fromStdString(error.what());
        }
    }
    QFile templateFile(QStringLiteral(":/export/figure_data.py"));
    if (!templateFile.open(QIODevice::ReadOnly))
        return QStringLiteral("the script template is missing from the resources");
    QString script = QString::fromUtf8(templateFile.readAll());
    headings.removeDuplicates();
    script.replace(QStringLiteral("@TITLE@"), py(title));
    script.replace(QStringLiteral("@HEADINGS@"), py(headings.join(QStringLiteral(" \u00b7 "))));
    script.replace(QStringLiteral("@NAME@"), py(name));
    script.replace(QStringLiteral("@AXES@"), axesMeta.join(QLatin1Char('\n')));
    script.replace(QStringLiteral("@MAPS@"), mapsMeta.join(QLatin1Char('\n')));
    if (const QString error = save(out.script, script); !error.isEmpty())
        return error;
    QFile::setPermissions(out.script, QFile::permissions(out.script) | QFileDevice::ExeOwner);
    if (files)
        *files = out;
    return {};
}
