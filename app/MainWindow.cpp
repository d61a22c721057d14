#include "MainWindow.h"

#include "panels/lm/LmDefaultLoader.h"
#include "panels/lm/LmFeaturesView.h"
#include "common/TaskListButton.h"
#include "AppSettings.h"
#include "DataFileOpener.h"
#include "PanelFactory.h"
#include "RecentFilesMenu.h"
#include "SessionController.h"
#include "ShortcutList.h"
#include "TourHighlight.h"
#include "common/ControlsScrollArea.h"
#include "common/ExportDialog.h"
#include "common/FigureCaption.h"
#include "FirstStartTour.h"
#include "common/FigureExporter.h"
#include "common/Panel.h"
#include "panels/features/FeatureActivationsPanel.h"
#include "panels/superposition/SuperpositionPanel.h"

#include "common/InputError.h"
#include "toy/ToyModelFile.h"
#include "sae/ActivationImport.h"
#include "sae/ImportedSae.h"
#include "toy/ToyTrainingResult.h"

#include <QAction>
#include <QActionGroup>
#include <QClipboard>
#include <QCursor>
#include <QGuiApplication>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QMimeData>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolButton>

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("featurescope"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/featurescope.svg")));
    Theme::apply(*qApp, AppSettings::theme()); // before the panels exist, so they start in the right palette

    m_switcher = new QListWidget(this);
    m_switcher->setObjectName(QStringLiteral("panelSwitcher"));
    m_switcher->setFixedWidth(215);
    m_switcher->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_switcher->setIconSize(QSize(20, 20));
    m_switcher->setToolTip(tr("Switch panel (Ctrl+1, Ctrl+2, Ctrl+3)"));
    // Its look (font size, padding, colours) comes from the theme's style sheet (resources/themes/*.qss).
    m_stack = new QStackedWidget(this);
    for (const QString& id : PanelFactory::panelIds()) {
        Panel* panel = PanelFactory::create(id, m_stack);
        m_panels.append(panel);
        m_stack->addWidget(panel);
        m_switcher->addItem(panel->title());
        connectPanel(panel);
    }
    connect(m_switcher, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    // Plots created after start-up (a panel builds some lazily) are themed when their panel is shown.
    connect(m_stack, &QStackedWidget::currentChanged, this, [this] {
        if (QWidget* w = m_stack->currentWidget()) {
            Theme::followAll(w);
            Theme::applyToPlots(w);
        }
    });

    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_switcher);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    m_opener = new DataFileOpener(this);
    buildMenus();
    buildStatusBar();
    connectFileOpener();
    setAcceptDrops(true);
    Theme::followAll(this);
    Theme::applyToPlots(this);

    if (!restoreGeometry(AppSettings::windowGeometry()))
        resize(1400, 900);
    restoreState(AppSettings::windowState());
    showPanel(AppSettings::lastPanel());

    m_sessions = new SessionController(this);
    m_sessions->installMenu(fileMenu(), sessionInsertionPoint());
    connect(m_sessions, &SessionController::statusMessage, m_statusText, &QLabel::setText);
}

Panel* MainWindow::currentPanel() const { return qobject_cast<Panel*>(m_stack->currentWidget()); }

Panel* MainWindow::panel(const QString& id) const
{
    for (Panel* p : m_panels)
        if (p->panelId() == id)
            return p;
    return nullptr;
}

void MainWindow::showPanel(const QString& id)
{
    const int index = PanelFactory::panelIds().indexOf(id);
    m_switcher->setCurrentRow(index >= 0 ? index : 0);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_fileMenu = file;
    // Session actions (Save / Open Session, Recent Sessions) are inserted before this separator.
    m_sessionInsertionPoint = file->addSeparator();
    QAction* openActivations = file->addAction(tr("Open &Activations…"), this, &MainWindow::openActivationsDialog);
    openActivations->setObjectName(QStringLiteral("openActivations"));
    openActivations->setShortcut(QKeySequence(tr("Ctrl+Shift+A"))); // Ctrl+O opens a session
    openActivations->setToolTip(tr("Import [N, d] activations (.npy, .npz, .safetensors; token strings optional) into "
                                   "the Feature activations panel"));
    QAction* openSae = file->addAction(tr("Open &SAE…"), this, &MainWindow::openSaeDialog);
    openSae->setObjectName(QStringLiteral("openSae"));
    openSae->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    openSae->setToolTip(tr("Browse an SAE trained with SAELens (a folder with cfg.json and sae_weights.safetensors) "
                           "on the current activations"));
    m_recent = new RecentFilesMenu(file);
    file->addMenu(m_recent);
    connect(m_recent, &RecentFilesMenu::openRequested, this, &MainWindow::openDataFile);
    connect(m_recent, &RecentFilesMenu::statusMessage, this, [this](const QString& message) { m_statusText->setText(message); });
    file->addSeparator();
    QAction* exportModelAction = file->addAction(tr("Export &Model…"), this, &MainWindow::exportModel);
    exportModelAction->setObjectName(QStringLiteral("exportModel"));
    exportModelAction->setToolTip(tr("Save the current panel's model for Python: the SAE as an SAELens folder, the toy "
                                     "model as safetensors"));
    QAction* exportAction = file->addAction(tr("&Export Figure…"), this, &MainWindow::exportCurrentFigure);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->setToolTip(tr("Save a figure of the current panel as PNG, PDF or SVG"));
    QAction* copyAction = file->addAction(tr("&Copy Figure"), this, &MainWindow::copyCurrentFigure);
    copyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copyAction->setToolTip(tr("Copy the figure under the mouse (or the whole panel) as a PNG image"));
    QAction* captionAction = file->addAction(tr("Copy Ca&ption"), this, &MainWindow::copyCurrentCaption);
    captionAction->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C));
    captionAction->setToolTip(tr("Copy a caption naming the parameters that made the figure under the mouse"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_panels.size(); ++i) {
        QAction* show = view->addAction(m_panels[i]->title(), this, [this, i] { m_switcher->setCurrentRow(i); });
        show->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_1 + i)));
    }
    view->addSeparator();
    QMenu* themes = view->addMenu(tr("&Theme"));
    m_themeGroup = new QActionGroup(this);
    const QList<QPair<Theme::Id, QString>> themeNames{{Theme::Id::Light, tr("&Light")},
                                                       {Theme::Id::Dark, tr("&Dark")},
                                                       {Theme::Id::Presentation, tr("&Presentation (large, high contrast)")}};
    for (const auto& [id, label] : themeNames) {
        QAction* action = themes->addAction(label, this, [this, id = id] { setTheme(id); });
        action->setCheckable(true);
        action->setChecked(id == Theme::current());
        action->setData(int(id));
        m_themeGroup->addAction(action);
    }
    m_presentationAction = view->addAction(tr("&Presentation Mode"), this, [this] { setPresentationMode(!m_presentation); });
    m_presentationAction->setCheckable(true);
    m_presentationAction->setShortcut(QKeySequence(Qt::Key_F11));
    m_presentationAction->setToolTip(tr("Full screen with the panel list and status bar hidden (F11 or Esc leaves)"));
    // Esc leaves presentation mode; it is enabled only there, so it never competes with "cancel running work".
    m_leavePresentation = new QAction(tr("Leave Presentation Mode"), this);
    m_leavePresentation->setShortcut(QKeySequence(Qt::Key_Escape));
    m_leavePresentation->setEnabled(false);
    connect(m_leavePresentation, &QAction::triggered, this, [this] { setPresentationMode(false); });
    addAction(m_leavePresentation);
    // Presentation mode hides the controls with the rest of the chrome; Ctrl+H brings them back while presenting.
    m_controlsAction = view->addAction(tr("Show &Controls"), this, [this](bool on) { setControlsShown(on); });
    m_controlsAction->setCheckable(true);
    m_controlsAction->setChecked(true);
    m_controlsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    m_controlsAction->setToolTip(tr("Show or hide the panels' control columns (Ctrl+H)"));

    menuBar()->setObjectName(QStringLiteral("mainMenuBar"));
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&Tour"), this, &MainWindow::showTour);
    help->addAction(tr("&About featurescope"), this, &MainWindow::showAbout);
}

void MainWindow::setTheme(Theme::Id id)
{
    Theme::apply(*qApp, id);
    AppSettings::setTheme(id);
    if (m_themeGroup)
        for (QAction* action : m_themeGroup->actions())
            action->setChecked(action->data().toInt() == int(id));
    Theme::followAll(this);
    Theme::applyToPlots(this);
    m_statusText->setText(tr("Theme: %1").arg(Theme::name(id)));
}

void MainWindow::setPresentationMode(bool on)
{
    if (on == m_presentation)
        return;
    m_presentation = on;
    if (on) {
        m_wasFullScreen = isFullScreen();
        m_wasMaximized = isMaximized();
        m_switcher->hide();
        statusBar()->hide();
        // The menu bar goes too; its actions stay reachable by their keys, which are added to the window itself.
        for (QAction* menu : menuBar()->actions())
            if (menu->menu())
                for (QAction* action : menu->menu()->actions())
                    if (!action->shortcut().isEmpty() && !actions().contains(action))
                        addAction(action);
        menuBar()->hide();
        setControlsShown(false);
        showFullScreen();
    } else {
        m_switcher->show();
        statusBar()->show();
        menuBar()->show();
        setControlsShown(true);
        if (!m_wasFullScreen)
            m_wasMaximized ? showMaximized() : showNormal();
    }
    m_presentationAction->setChecked(on);
    m_leavePresentation->setEnabled(on);
}

void MainWindow::setControlsShown(bool shown)
{
    for (Panel* panel : m_panels)
        for (ControlsScrollArea* controls : panel->findChildren<ControlsScrollArea*>())
            controls->setVisible(shown);
    if (m_controlsAction)
        m_controlsAction->setChecked(shown);
}

void MainWindow::buildStatusBar()
{
    m_statusText = new QLabel(tr("Ready"), this);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_cancel = new QToolButton(this);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop the running computation (Esc)"));
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancel->hide();
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (m_opener && m_opener->isBusy())
            m_opener->cancel();
        else if (m_busyPanel)
            m_busyPanel->cancelWork();
    });
    statusBar()->addWidget(m_statusText, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    statusBar()->addPermanentWidget(new TaskListButton(this));
}

void MainWindow::connectPanel(Panel* panel)
{
    connect(panel, &Panel::workStarted, this, [this, panel](const QString& description) {
        m_busyPanel = panel;
        m_statusText->setText(description);
        m_progress->setValue(0);
        m_progress->show();
        m_cancel->show();
    });
    connect(panel, &Panel::workProgress, this, [this, panel](double fraction, const QString& message) {
        if (panel != m_busyPanel)
            return;
        m_progress->setValue(int(1000 * fraction));
        if (!message.isEmpty())
            m_statusText->setText(message);
    });
    connect(panel, &Panel::workFinished, this, [this, panel](const QString& message) {
        if (panel == m_busyPanel)
            m_busyPanel = nullptr;
        m_statusText->setText(message);
        m_progress->hide();
        m_cancel->hide();
    });
}

void MainWindow::exportCurrentFigure()
{
    Panel* panel = currentPanel();
    if (!panel)
        return;
    QList<ExportTarget> targets{{tr("Whole panel"), panel}};
    for (const QString& name : panel->figureNames())
        if (QWidget* widget = panel->figureWidget(name))
            targets.append({panel->figureTitle(name), widget, name});
    // The dialog composes the caption itself (the panel's parameters, the version and the date).
    ExportDialog dialog(targets, QString(), AppSettings::lastExportDirectory(),
                        QStringLiteral("featurescope-%1").arg(panel->panelId()), this);
    dialog.setPanel(panel);
    // The figure under the mouse is preselected (the innermost target: the whole panel contains every figure).
    if (const int under = ExportDialog::innermostTarget(targets, figureUnderFocus()); under > 0)
        dialog.findChild<QComboBox*>(QStringLiteral("target"))->setCurrentIndex(under);
    const int result = dialog.exec();
    if (!dialog.path().isEmpty())
        AppSettings::setLastExportDirectory(QFileInfo(dialog.path()).absolutePath());
    if (result == QDialog::Accepted)
        m_statusText->setText(tr("Exported %1").arg(dialog.path()));
}

// The plot under the mouse, else the one with focus, else nullptr.
QWidget* MainWindow::figureUnderFocus() const
{
    Panel* panel = currentPanel();
    if (!panel)
        return nullptr;
    for (QWidget* w = QApplication::widgetAt(QCursor::pos()); w; w = w->parentWidget())
        if (w->inherits("QCustomPlot") && panel->isAncestorOf(w))
            return w;
    for (QWidget* w = QApplication::focusWidget(); w; w = w->parentWidget())
        if (w->inherits("QCustomPlot") && panel->isAncestorOf(w))
            return w;
    return nullptr;
}

void MainWindow::copyCurrentCaption()
{
    Panel* panel = currentPanel();
    if (!panel)
        return;
    // The figure whose widget is (or contains) the one under the mouse; none means the whole panel.
    QString figure;
    if (QWidget* focused = figureUnderFocus(); focused && focused != panel)
        for (const QString& name : panel->figureNames())
            if (QWidget* w = panel->figureWidget(name); w && (w == focused || w->isAncestorOf(focused))) {
                figure = name;
                break;
            }
    FigureCaption::copyToClipboard(panel, figure);
    m_statusText->setText(figure.isEmpty() ? tr("Copied the caption of the whole panel")
                                           : tr("Copied the caption of “%1”").arg(figure));
}

void MainWindow::loadDefaultLanguageModel()
{
    auto* view = findChild<LmFeaturesView*>();
    if (!view)
        return;
    // The default session's subject is a language model's features: the Feature activations panel opens on them.
    if (LmDefaultLoader::start(view)->loadsDefault())
        if (auto* panel = findChild<FeatureActivationsPanel*>())
            panel->showLanguageModelTab();
}

void MainWindow::showTour()
{
    auto* tour = new FirstStartTour(this);
    tour->setAttribute(Qt::WA_DeleteOnClose);
    if (!m_tourHighlight)
        m_tourHighlight = new TourHighlight(this);
    connect(tour, &FirstStartTour::pointAt, this, [this](const QString& name) {
        // A card about a control on another panel (the Train button while the energy panel is shown) brings that
        // panel forward, so the frame always has something to point at.
        QWidget* target = nullptr;
        for (QWidget* candidate : findChildren<QWidget*>(name))
            if (!target || (candidate->isVisible() && !target->isVisible()))
                target = candidate;
        if (target && !target->isVisible())
            for (Panel* p : m_panels)
                if (p->isAncestorOf(target))
                    showPanel(p->panelId());
        m_tourHighlight->pointAt(target);
    });
    connect(tour, &FirstStartTour::tourClosed, this, [this] {
        m_tourHighlight->pointAt(nullptr);
        AppSettings::setTourShown(true); // seen and dismissed: not again on the next start
    });
    tour->show();
}

void MainWindow::copyCurrentFigure()
{
    Panel* panel = currentPanel();
    if (!panel)
        return;
    QWidget* target = figureUnderFocus();
    if (!target)
        target = panel;
    ExportOptions options;
    options.logicalSize = target->size();
    options.scale = 2.0;
    QString error;
    const QImage image = FigureExporter::renderImage(target, options, &error);
    if (image.isNull()) {
        QMessageBox::warning(this, tr("Copy failed"), tr("Could not copy the figure: %1").arg(error));
        return;
    }
    QGuiApplication::clipboard()->setImage(image);
    m_statusText->setText(tr("Copied a %1×%2 image of the %3 to the clipboard")
                              .arg(image.width())
                              .arg(image.height())
                              .arg(target == panel ? tr("whole panel") : tr("figure")));
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About featurescope"),
        tr("<h3>featurescope %1</h3>"
           "<p>A workbench for mechanistic interpretability: superposition geometry, sparse-autoencoder features "
           "and the energy bound of computation.</p>"
           "<p><b>Science</b><br>"
           "Elhage et al. (2022), <i>Toy Models of Superposition</i>, Transformer Circuits Thread.<br>"
           "Bricken et al. (2023), <i>Towards Monosemanticity</i>, Transformer Circuits Thread.<br>"
           "Sharkey, Braun, Millidge (2022), <i>Taking features out of superposition with sparse autoencoders</i>.<br>"
           "Landauer (1961), <i>Irreversibility and heat generation in the computing process</i>, IBM J. Res. Dev.<br>"
           "Horowitz (2014), <i>Computing's energy problem</i>, ISSCC.<br>"
           "Ho, Erdil, Besiroglu (2023), <i>Limits to the energy efficiency of CMOS microprocessors</i>.<br>"
           "Carlsmith (2020), <i>How much computational power does it take to match the human brain?</i></p>"
           "<p><b>Data</b><br>"
           "Fashion-MNIST (Xiao, Rasul, Vollgraf 2017), from Debian's dataset-fashion-mnist package.<br>"
           "Accelerator figures: vendor datasheets, via Epoch AI's machine-learning hardware database.</p>")
            .arg(QStringLiteral(FEATURESCOPE_VERSION)));
}

void MainWindow::showShortcuts()
{
    QMessageBox::information(this, tr("Keyboard Shortcuts"), ShortcutList::html(this));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    for (Panel* p : m_panels)
        p->cancelWork();
    m_sessions->shutdown(); // autosave on quit, and clear the crash marker
    AppSettings::setWindowGeometry(saveGeometry());
    AppSettings::setWindowState(saveState());
    if (Panel* p = currentPanel())
        AppSettings::setLastPanel(p->panelId());
    event->accept();
}

// ---- files ------------------------------------------------------------------------------------------------------

QString MainWindow::statusText() const { return m_statusText->text(); }

void MainWindow::connectFileOpener()
{
    connect(m_opener, &DataFileOpener::started, this, [this](const QString& description) {
        m_statusText->setText(description);
        m_progress->setValue(0);
        m_progress->show();
        m_cancel->show();
    });
    connect(m_opener, &DataFileOpener::progress, this, [this](double fraction, const QString& message) {
        m_progress->setValue(int(1000 * fraction));
        if (!message.isEmpty())
            m_statusText->setText(message);
    });
    connect(m_opener, &DataFileOpener::finished, this, [this](const QString& message) {
        m_statusText->setText(message);
        if (!m_busyPanel) {
            m_progress->hide();
            m_cancel->hide();
        }
    });
    connect(m_opener, &DataFileOpener::failed, this, &MainWindow::showFileError);
    connect(m_opener, &DataFileOpener::opened, this, [](const QString& path) { AppSettings::addRecentFile(path); });
    connect(m_opener, &DataFileOpener::activationsLoaded, this,
            [this](std::shared_ptr<const featurescope::ImportedActivations> activations) {
                auto* features = qobject_cast<FeatureActivationsPanel*>(panel(QStringLiteral("features")));
                if (!features)
                    return;
                try {
                    features->importActivations(std::move(activations));
                    showPanel(QStringLiteral("features"));
                } catch (const featurescope::InputError& error) {
                    showFileError(QString::fromStdString(error.what()));
                }
            });
    connect(m_opener, &DataFileOpener::saeLoaded, this,
            [this](std::shared_ptr<const featurescope::ImportedSae> sae, const QString& path) {
                auto* features = qobject_cast<FeatureActivationsPanel*>(panel(QStringLiteral("features")));
                if (!features)
                    return;
                try {
                    features->openSae(*sae, QDir::toNativeSeparators(path));
                    showPanel(QStringLiteral("features"));
                } catch (const featurescope::InputError& error) {
                    showFileError(QString::fromStdString(error.what()));
                }
            });
}

void MainWindow::openDataFile(const QString& path)
{
    AppSettings::setLastOpenDirectory(QFileInfo(path).absolutePath());
    m_opener->open(path);
}

void MainWindow::openFile(const QString& path)
{
    if (path.endsWith(QLatin1String(".fss"), Qt::CaseInsensitive))
        m_sessions->openSessionInBackground(path);
    else
        openDataFile(path);
}

void MainWindow::openActivationsDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Activations"), AppSettings::lastOpenDirectory(),
                                                      DataFileOpener::fileFilter());
    if (!path.isEmpty())
        openDataFile(path);
}

void MainWindow::openSaeDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open SAE (SAELens folder with cfg.json)"),
                                                          AppSettings::lastOpenDirectory());
    if (dir.isEmpty())
        return;
    AppSettings::setLastOpenDirectory(dir);
    m_opener->openSae(dir);
}

void MainWindow::exportModel()
{
    Panel* current = currentPanel();
    try {
        if (auto* features = qobject_cast<FeatureActivationsPanel*>(current)) {
            if (!features->hasModel())
                throw featurescope::InputError("there is no SAE to export yet: train one first");
            const QString dir = QFileDialog::getSaveFileName(
                this, tr("Export SAE as an SAELens folder"),
                QDir(AppSettings::lastExportDirectory()).filePath(QStringLiteral("featurescope-sae")), QString(), nullptr,
                QFileDialog::ShowDirsOnly);
            if (dir.isEmpty())
                return;
            features->exportModel(dir);
            AppSettings::setLastExportDirectory(QFileInfo(dir).absolutePath());
            m_statusText->setText(tr("Exported the SAE to %1 (SAELens: SAE.load_from_disk)").arg(QDir::toNativeSeparators(dir)));
        } else if (auto* superposition = qobject_cast<SuperpositionPanel*>(current)) {
            const auto result = superposition->result();
            if (!result)
                throw featurescope::InputError("there is no trained toy model to export yet");
            QString path = QFileDialog::getSaveFileName(
                this, tr("Export toy model"),
                QDir(AppSettings::lastExportDirectory()).filePath(QStringLiteral("toy-model.safetensors")),
                tr("safetensors (*.safetensors)"));
            if (path.isEmpty())
                return;
            if (!path.endsWith(QLatin1String(".safetensors")))
                path += QStringLiteral(".safetensors");
            featurescope::ToyModelFile::write(path.toStdString(), result->model, &result->training);
            AppSettings::setLastExportDirectory(QFileInfo(path).absolutePath());
            m_statusText->setText(tr("Exported the toy model to %1").arg(QDir::toNativeSeparators(path)));
        } else {
            m_statusText->setText(tr("This panel has no model to export"));
        }
    } catch (const featurescope::InputError& error) {
        showFileError(QString::fromStdString(error.what()));
    }
}

void MainWindow::showFileError(const QString& message)
{
    m_lastFileError = message;
    m_statusText->setText(message);
    // Window-modal and non-blocking: one message, no nested event loop.
    if (!m_errorBox) {
        m_errorBox = new QMessageBox(QMessageBox::Warning, tr("Cannot open file"), QString(), QMessageBox::Ok, this);
        m_errorBox->setObjectName(QStringLiteral("fileError"));
        m_errorBox->setWindowModality(Qt::WindowModal);
    }
    m_errorBox->setText(message);
    m_errorBox->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!event->mimeData()->hasUrls())
        return;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile() && DataFileOpener::classify(url.toLocalFile()) != DataFileOpener::Kind::Unknown) {
            event->acceptProposedAction();
            return;
        }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    // One load at a time: the first file; say so when several were dropped.
    openDataFile(paths.front());
    if (paths.size() > 1)
        m_statusText->setText(tr("%1 (only the first of %2 dropped files is opened)").arg(m_statusText->text()).arg(paths.size()));
}
