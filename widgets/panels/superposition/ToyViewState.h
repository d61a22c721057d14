#pragma once

#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QStringList>

#include <string>

namespace featurescope {
class SettingsReader;
}

// What the superposition panel's views show, as a session keeps it: the tab (by id), the selected feature and
// instance, the replay snapshot and the projection plane. Parsed and checked whole before the panel changes.
struct ToyViewState {
    Q_DECLARE_TR_FUNCTIONS(ToyViewState)

public:
    int tab = 0;            // index into tabIds()
    int feature = -1;       // -1: none
    int instance = 0;
    int snapshot = -1;      // -1: the live state
    int projectionFirst = -1, projectionSecond = -1; // -1: the principal axes

    // The panel's tabs in order (the panel's Tab enum follows it).
    static const QStringList& tabIds();
    // The full name of tab i, for its tooltip (the tab itself carries a short name).
    static QString tabToolTip(int i);
    // Throws InputError naming `where` on a bad entry; sessions before tab ids saved an index of the older order.
    static ToyViewState parse(const featurescope::SettingsReader& view, const std::string& where);
    nlohmann::json write() const;
    // Throws InputError when the selection names a feature, instance or snapshot the restored run does not have.
    void checkFits(int features, int instances, int snapshots, const std::string& where) const;
};
