#pragma once

#include <QMenu>

// File > Recent Files: the data files of AppSettings::recentFiles(), rebuilt each time it opens. Entries that no
// longer exist are shown disabled (with "missing" in the tooltip); "Remove Missing Entries" drops them from the
// list and reports how many in statusMessage.
class RecentFilesMenu : public QMenu {
    Q_OBJECT
public:
    explicit RecentFilesMenu(QWidget* parent = nullptr);

    void rebuild();

Q_SIGNALS:
    void openRequested(const QString& path);
    void statusMessage(const QString& message);
};
