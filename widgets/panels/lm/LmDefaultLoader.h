#pragma once

#include "lmfeatures/DefaultLanguageModel.h"

#include <QObject>
#include <QString>

class BackgroundJob;
class LmFeaturesView;

// The default session's language model: when the Language model tab has no sources of its own, it gets the
// default byte model and SAE from the cache (featurescope::DefaultLanguageModel), trained in the background on the
// first start (listed with the other background work: progress, cancel; the panels stay usable), and scans them
// with the fortunes texts. Later starts find the cache and only scan.
class LmDefaultLoader : public QObject {
    Q_OBJECT
public:
    // Starts at once; the loader belongs to `view`. `cacheFolder` empty: CacheFolders::defaultLanguageModel().
    static LmDefaultLoader* start(LmFeaturesView* view, const QString& cacheFolder = {},
                                  const featurescope::DefaultLanguageModelRecipe& recipe = {});
    BackgroundJob* job() const { return m_job; }
    // False when the view had sources of its own and the loader left it alone.
    bool loadsDefault() const { return m_loadsDefault; }

private:
    LmDefaultLoader(LmFeaturesView* view, QString cacheFolder, featurescope::DefaultLanguageModelRecipe recipe);
    void scan();

    LmFeaturesView* m_view;
    QString m_cache;
    featurescope::DefaultLanguageModelRecipe m_recipe;
    BackgroundJob* m_job;
    bool m_loadsDefault = false;
};
