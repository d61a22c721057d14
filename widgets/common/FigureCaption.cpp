#include "FigureCaption.h"

#include "Panel.h"

#include <QClipboard>
#include <QCoreApplication>
#include <QGuiApplication>
#include <QStringList>

QString FigureCaption::versionLine(const QDate& date)
{
    // The product name, not applicationName(): tests and tools embedding the widgets still caption "featurescope".
    const QString app = QStringLiteral("featurescope");
    const QString version = QCoreApplication::applicationVersion();
    QString line = version.isEmpty() ? app : app + QLatin1Char(' ') + version;
    if (date.isValid())
        line += QStringLiteral(" · ") + date.toString(Qt::ISODate);
    return line;
}

QString FigureCaption::panelLines(const Panel* panel, const QString& figure)
{
    if (!panel)
        return {};
    QString own = panel->figureCaption(figure).trimmed();
    if (own.isEmpty() && figure.isEmpty()) {
        // No caption for the panel as a whole: the distinct captions of its figures say the same.
        QStringList parts;
        for (const QString& name : panel->figureNames()) {
            const QString part = panel->figureCaption(name).trimmed();
            if (!part.isEmpty() && !parts.contains(part))
                parts.append(part);
        }
        own = parts.join(QLatin1Char('\n'));
    }
    const QString heading = figure.isEmpty() ? panel->title() : panel->title() + QStringLiteral(" — ") + figure;
    return own.isEmpty() ? heading : heading + QStringLiteral(": ") + own;
}

QString FigureCaption::compose(const Panel* panel, const QString& figure, const QDate& date)
{
    const QString lines = panelLines(panel, figure);
    return lines.isEmpty() ? versionLine(date) : lines + QLatin1Char('\n') + versionLine(date);
}

QString FigureCaption::copyToClipboard(const Panel* panel, const QString& figure)
{
    const QString text = compose(panel, figure);
    QGuiApplication::clipboard()->setText(text);
    return text;
}
