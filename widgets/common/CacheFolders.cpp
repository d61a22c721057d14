#include "common/CacheFolders.h"

#include <QDir>
#include <QStandardPaths>

QString CacheFolders::defaultLanguageModel()
{
    // GenericCacheLocation does not depend on the application's name, which the command line never sets.
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation))
        .filePath(QStringLiteral("featurescope/default-lm"));
}
