#include "Panel.h"

#include "FigureTitles.h"

QString Panel::figureTitle(const QString& name) const { return FigureTitles::title(name); }
