#include "Panel.h"

QString Panel::figureTitle(const QString& name) const
{
    QString title = name;
    title.replace(QLatin1Char('-'), QLatin1Char(' '));
    title.replace(QStringLiteral(" vs "), QStringLiteral(" vs. "));
    if (!title.isEmpty())
        title[0] = title[0].toUpper();
    return title;
}
