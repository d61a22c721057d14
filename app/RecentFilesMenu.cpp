#include "RecentFilesMenu.h"

#include "AppSettings.h"

#include <QDir>
#include <QFileInfo>

RecentFilesMenu::RecentFilesMenu(QWidget* parent) : QMenu(tr("Recent &Files"), parent)
{
    setObjectName(QStringLiteral("recentFilesMenu"));
    setToolTipsVisible(true);
    connect(this, &QMenu::aboutToShow, this, &RecentFilesMenu::rebuild);
    rebuild();
}

void RecentFilesMenu::rebuild()
{
    clear();
    const QStringList files = AppSettings::recentFiles();
    int missing = 0;
    for (int i = 0; i < files.size(); ++i) {
        const QString& path = files[i];
        const QFileInfo info(path);
        const QString label = QStringLiteral("&%1  %2").arg((i + 1) % 10).arg(info.fileName().isEmpty() ? path : info.fileName());
        QAction* action = addAction(label);
        action->setData(path);
        if (info.exists()) {
            action->setToolTip(QDir::toNativeSeparators(path));
            connect(action, &QAction::triggered, this, [this, path] {
                if (QFileInfo::exists(path))
                    Q_EMIT openRequested(path);
                else
                    Q_EMIT statusMessage(tr("%1 no longer exists").arg(QDir::toNativeSeparators(path)));
            });
        } else {
            ++missing;
            action->setEnabled(false);
            action->setText(tr("%1 (missing)").arg(label));
            action->setToolTip(tr("%1 is missing").arg(QDir::toNativeSeparators(path)));
        }
    }
    if (files.isEmpty()) {
        addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    addSeparator();
    if (missing > 0) {
        QAction* prune = addAction(tr("Remove Missing Entries (%1)").arg(missing));
        prune->setObjectName(QStringLiteral("removeMissingRecentFiles"));
        connect(prune, &QAction::triggered, this, [this] {
            QStringList kept;
            for (const QString& path : AppSettings::recentFiles())
                if (QFileInfo::exists(path))
                    kept << path;
            const int removed = int(AppSettings::recentFiles().size() - kept.size());
            AppSettings::setRecentFiles(kept);
            rebuild();
            Q_EMIT statusMessage(tr("Removed %n missing recent file(s)", nullptr, removed));
        });
    }
    connect(addAction(tr("Clear Recent Files")), &QAction::triggered, this, [this] {
        AppSettings::setRecentFiles({});
        rebuild();
        Q_EMIT statusMessage(tr("Recent files cleared"));
    });
}
