/*
 * test_nlu.c: the shell's natural-language understanding
 * (servers/shell/nlu.c): the issue's phrases, slots (paths, services with
 * typos and aliases, numbers, text), off-topic lines, the destructive flag,
 * accuracy on the held-out phrases (servers/shell/nlu/heldout.txt, read
 * from the repository's root, where the tests run), the same hashing and
 * features as tools/nlu-train, reentrancy and the time per line.
 */
#define NLU_MODEL_VECTORS
#include "nlu.h"
#include "nlu_impl.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unit.h>

static const char *const services[] = { "supervisor", "block", "vfs", "net", "shell", "httpd" };
static const struct nlu_context ctx = { services, 6 };

static struct nlu_result understand(const char *line)
{
    struct nlu_result r;
    memset(&r, 0xA5, sizeof(r));
    nlu_interpret(line, &ctx, &r);
    return r;
}

/* LINE gives COMMAND with VERDICT (NLU_COMMAND or NLU_ASK). */
static void expect(const char *line, const char *command, enum nlu_verdict verdict)
{
    struct nlu_result r = understand(line);
    if (r.verdict != verdict || strcmp(r.command, command) != 0)
        unit_fail(__FILE__, __LINE__, "\"%s\": got %d \"%s\" (%.2f), expected %d \"%s\"", line,
                  r.verdict, r.command, r.confidence, verdict, command);
    size_t n = strcspn(command, " ");
    CHECK(r.intent && strlen(r.intent) == n && memcmp(r.intent, command, n) == 0);
    CHECK_EQ(r.destructive, nlu_is_destructive(r.intent));
    CHECK_STR(r.suggestion, "");
}

static void expect_unknown(const char *line)
{
    struct nlu_result r = understand(line);
    if (r.verdict != NLU_UNKNOWN)
        unit_fail(__FILE__, __LINE__, "\"%s\": got \"%s\" (%.2f), expected NLU_UNKNOWN", line,
                  r.command, r.confidence);
    CHECK(r.intent == NULL && r.command[0] == '\0' && !r.destructive);
    CHECK(strlen(r.suggestion) > 10 && !strchr(r.suggestion, '\n'));
}

static void test_the_issues_phrases(void)
{
    struct nlu_result r = understand("pls restart the netwrok server");
    CHECK_EQ(r.verdict, NLU_COMMAND);
    CHECK_STR(r.intent, "restart");
    CHECK_STR(r.command, "restart net");
    CHECK(r.destructive);
    CHECK(r.confidence >= 0.7 && r.confidence <= 1.0);
    expect("what's using the most memory?", "mem", NLU_COMMAND);
    expect("show me what is in /etc", "ls /etc", NLU_COMMAND);
    expect("is the file server ok?", "services vfs", NLU_COMMAND);
    expect("make a folder called projects in /tmp", "mkdir /tmp/projects", NLU_COMMAND);
    CHECK(!understand("make a folder called projects in /tmp").destructive);
}

/* The examples of the shell's issue, and more of each command. */
static void test_commands(void)
{
    static const struct {
        const char *line, *command;
    } cases[] = {
        { "list files", "ls" },
        { "where am I", "pwd" },
        { "go to /home", "cd /home" },
        { "how long has it been up", "uptime" },
        { "turn off the computer", "shutdown" },
        { "show the log", "log" },
        { "what happened", "log" },
        { "free space", "df" },
        { "delete /tmp/x", "rm /tmp/x" },
        { "copy a to b", "cp a b" },
        { "rename a to b", "mv a b" },
        { "move a to b", "mv a b" },
        { "show processes", "ps" },
        { "what is running", "ps" },
        { "stop process 12", "kill 12" },
        { "kill the shell", "kill shell" },
        { "update the vfs to /sbin/vfs2", "update vfs /sbin/vfs2" },
        { "write hello to /tmp/a", "echo hello > /tmp/a" },
        { "append bye to /tmp/a", "echo bye >> /tmp/a" },
        { "sleep five seconds", "sleep 5" },
        { "reboot the machine now", "reboot" },
        { "remove the empty directory /tmp/old", "rmdir /tmp/old" },
        { "how big is /etc/motd", "stat /etc/motd" },
        { "print the file /etc/motd", "cat /etc/motd" },
        { "launch /bin/hello", "run /bin/hello" },
        { "what services are running", "services" },
        { "what can you do", "help" },
        { "how do i copy files", "help cp" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect(cases[i].line, cases[i].command, NLU_COMMAND);
}

static void test_slots(void)
{
    /* paths made of a name and a directory */
    expect("create a directory named src under /home", "mkdir /home/src", NLU_COMMAND);
    expect("create a new folder in /tmp called build", "mkdir /tmp/build", NLU_COMMAND);
    expect("delete index.html from /var/www", "rm /var/www/index.html", NLU_COMMAND);
    expect("make a folder called backup", "mkdir backup", NLU_COMMAND);
    /* cd's fixed places */
    expect("go up a level", "cd ..", NLU_COMMAND);
    expect("take me to the root", "cd /", NLU_COMMAND);
    expect("list files with details in /etc", "ls -l /etc", NLU_COMMAND);
    /* services: names, aliases, typos */
    expect("restart the web server", "restart httpd", NLU_COMMAND);
    expect("restart the storage driver", "restart block", NLU_COMMAND);
    expect("restart the supervisr", "restart supervisor", NLU_COMMAND);
    expect("is the file srever alive", "services vfs", NLU_COMMAND);
    /* numbers and units */
    expect("wait for a minute", "sleep 60", NLU_COMMAND);
    expect("sleep 2 minutes", "sleep 120", NLU_COMMAND);
    expect("wait 30s", "sleep 30", NLU_COMMAND);
    expect("wait twenty five seconds", "sleep 25", NLU_COMMAND);
    expect("sleep for half a minute", "sleep 30", NLU_COMMAND);
    /* text, quoted or not, kept as typed */
    expect("write \"Hello, World\" to /tmp/Greeting", "echo Hello, World > /tmp/Greeting",
           NLU_COMMAND);
    expect("add the line ok at the end of /tmp/log", "echo ok >> /tmp/log", NLU_COMMAND);
    expect("create /tmp/a with hello in it", "echo hello > /tmp/a", NLU_COMMAND);
    expect("run /bin/grep with foo bar", "run /bin/grep foo bar", NLU_COMMAND);
    /* a name guessed from a plain word is asked about */
    expect("delete notes", "rm notes", NLU_ASK);
}

/* A model that is unsure asks though no slot was guessed: df takes none,
 * and this line gives it a probability of 0.62 (ifconfig 0.16 next), in
 * the band of 0.3 to 0.7 where the shell asks. */
static void test_unsure_model_asks(void)
{
    const char *line = "how much room do we have";
    expect(line, "df", NLU_ASK);
    struct nlu_result r = understand(line);
    if (r.confidence < 0.3 || r.confidence >= 0.7)
        unit_fail(__FILE__, __LINE__, "\"%s\": %.4f, expected 0.3 to 0.7", line, r.confidence);
    CHECK(!r.destructive);
}

/* A command's slot that is not there is no command, with a suggestion. */
static void test_missing_slots(void)
{
    expect_unknown("restart the server");
    expect_unknown("delete");
    expect_unknown("copy a file");
    expect_unknown("kill them all");
    expect_unknown("please remove all of the files in /home");
    CHECK(strstr(understand("restart the server").suggestion, "restart"));
    /* an alias for a service that is not running names nothing */
    const char *only[] = { "vfs" };
    struct nlu_context small = { only, 1 };
    struct nlu_result r;
    nlu_interpret("restart the network", &small, &r);
    CHECK_EQ(r.verdict, NLU_UNKNOWN);
    nlu_interpret("restart the file server", &small, &r);
    CHECK_STR(r.command, "restart vfs");
    /* without a context any alias goes */
    nlu_interpret("restart the network", NULL, &r);
    CHECK_STR(r.command, "restart net");
}

static void test_off_topic_is_unknown(void)
{
    static const char *const lines[] = {
        "what's the weather like",
        "tell me a joke",
        "asdfgh qwerty",
        "zxcv zxcv zxcv",
        "who won the world cup",
        "i like turtles",
        "",
        "   ",
        "?!",
        "\xe2\x86\x92 \xe2\x86\x92",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        expect_unknown(lines[i]);
    CHECK(strstr(understand("what's the weather like").suggestion, "help"));
}

/* Every destructive command is flagged, whatever the phrase. */
static void test_destructive(void)
{
    static const char *const yes[] = { "kill",  "restart",  "update", "rm",
                                       "rmdir", "shutdown", "reboot", "rm /tmp/a" };
    static const char *const no[] = { "ls",      "mv",  "cp", "echo",     "mkdir", "help",
                                      "killall", "rmx", "",   "services", "ps",    "cat" };
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        CHECK(nlu_is_destructive(yes[i]));
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        CHECK(!nlu_is_destructive(no[i]));
    CHECK(!nlu_is_destructive(NULL));
    static const char *const lines[] = {
        "kill process 7",        "terminate the web server",
        "restart networking",    "bounce the vfs",
        "upgrade httpd",         "remove /tmp/a",
        "erase the file /tmp/b", "delete the folder /tmp/c",
        "shut down the machine", "power off",
        "reboot the system",     "restart the computer",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        struct nlu_result r = understand(lines[i]);
        CHECK(r.verdict != NLU_UNKNOWN);
        if (!r.destructive)
            unit_fail(__FILE__, __LINE__, "\"%s\" -> \"%s\" not destructive", lines[i], r.command);
    }
}

/* The held-out paraphrases: at least 95% of intents right, no destructive
 * command without its flag. Prints the figures. */
static void test_heldout_accuracy(void)
{
    FILE *f = fopen("servers/shell/nlu/heldout.txt", "r");
    CHECK(f != NULL);
    char buf[1024];
    unsigned n = 0, right = 0, slots = 0, slot_right = 0;
    while (fgets(buf, sizeof(buf), f)) {
        buf[strcspn(buf, "\n")] = '\0';
        char *intent = buf, *command = strchr(buf, '\t'), *phrase;
        if (buf[0] == '#' || !command)
            continue;
        *command++ = '\0';
        phrase = strchr(command, '\t');
        CHECK(phrase != NULL);
        *phrase++ = '\0';
        struct nlu_result r = understand(phrase);
        const char *got = r.verdict == NLU_UNKNOWN ? "unknown" : r.intent;
        n++;
        if (strcmp(got, intent) == 0) {
            right++;
            if (strcmp(intent, "unknown") != 0) {
                slots++;
                slot_right += strcmp(r.command, command) == 0;
            }
        }
        CHECK_EQ(r.destructive, r.verdict != NLU_UNKNOWN && nlu_is_destructive(r.command));
    }
    fclose(f);
    CHECK(n >= 150);
    printf("   held-out: intent accuracy %.1f%% (%u/%u), slot accuracy %.1f%% (%u/%u)\n",
           100.0 * right / n, right, n, 100.0 * slot_right / slots, slot_right, slots);
    CHECK(right * 100 >= n * 95);
}

/* tools/nlu-train and nlu.c hash, tokenize and score alike. */
static void test_same_as_the_generator(void)
{
    for (size_t i = 0; i < sizeof(nlu_hash_vectors) / sizeof(nlu_hash_vectors[0]); i++) {
        const char *b = nlu_hash_vectors[i].bytes;
        CHECK_EQ(nlu_hash(b, strlen(b)), nlu_hash_vectors[i].hash);
    }
    for (size_t i = 0; i < sizeof(nlu_model_vectors) / sizeof(nlu_model_vectors[0]); i++) {
        struct nlu_scores s;
        nlu_classify(nlu_model_vectors[i].line, &s);
        CHECK_EQ(s.ntokens, nlu_model_vectors[i].ntokens);
        CHECK_EQ(s.nfeatures, nlu_model_vectors[i].nfeatures);
        CHECK(fabs(s.checksum - nlu_model_vectors[i].checksum) <=
              1e-4 * (1 + fabs(nlu_model_vectors[i].checksum)));
        CHECK_EQ(s.top, nlu_model_vectors[i].top);
        CHECK(fabs(s.p[s.top] - nlu_model_vectors[i].probability) < 1e-3);
    }
    CHECK(nlu_lexicon_sorted());
    struct nlu_scores s;
    nlu_classify("anything", &s);
    CHECK_STR(s.name[NLU_CLASS_UNKNOWN], "unknown");
    double sum = 0;
    for (int k = 0; k < NLU_NCLASSES; k++)
        sum += s.p[k];
    CHECK(fabs(sum - 1) < 1e-9);
}

/* Long lines, odd bytes: at most NLU_LINE_MAX bytes looked at, and the
 * command fits or there is none. */
static void test_odd_lines(void)
{
    char line[2 * NLU_LINE_MAX];
    memset(line, 'a', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    expect_unknown(line);
    strcpy(line, "delete /tmp/");
    memset(line + 12, 'x', NLU_LINE_MAX);
    strcpy(line + 12 + NLU_LINE_MAX, " now");
    struct nlu_result r = understand(line);
    CHECK(r.verdict == NLU_UNKNOWN || strlen(r.command) < NLU_LINE_MAX);
    expect("write \"tab\there\" to /tmp/a", "echo tab here > /tmp/a", NLU_COMMAND);
    r = understand("\"\"\"''' ((( ]]] ... .. . ~ / //");
    CHECK(r.verdict == NLU_UNKNOWN || r.command[0]);
}

struct worker {
    const char *line;
    char command[NLU_LINE_MAX];
    bool same;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    w->same = true;
    for (int i = 0; i < 2000; i++) {
        struct nlu_result r;
        nlu_interpret(w->line, &ctx, &r);
        w->same = w->same && strcmp(r.command, w->command) == 0;
    }
    return NULL;
}

/* Threads interpreting different lines at once get what one would. */
static void test_reentrant(void)
{
    struct worker w[4] = { { .line = "pls restart the netwrok server" },
                           { .line = "make a folder called projects in /tmp" },
                           { .line = "append bye to /tmp/a" },
                           { .line = "copy a to b" } };
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        strcpy(w[i].command, understand(w[i].line).command);
        CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        CHECK(pthread_join(t[i], NULL) == 0);
        CHECK(w[i].same);
    }
}

/* Well under a millisecond a line, even here under the sanitizers. */
static void test_time_per_line(void)
{
    static const char *const lines[] = {
        "pls restart the netwrok server",
        "make a folder called projects in /tmp",
        "what's the weather like",
        "can you please copy the file /etc/motd over to /tmp/motd.bak for me",
    };
    struct timespec a, b;
    const int rounds = 500;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < rounds; i++)
        for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++)
            understand(lines[k]);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3) /
                (rounds * (sizeof(lines) / sizeof(lines[0])));
    printf("   %.1f us a line (sanitized build)\n", us);
    CHECK(us < 1000);
}

int main(void)
{
    RUN(test_the_issues_phrases);
    RUN(test_commands);
    RUN(test_slots);
    RUN(test_unsure_model_asks);
    RUN(test_missing_slots);
    RUN(test_off_topic_is_unknown);
    RUN(test_destructive);
    RUN(test_heldout_accuracy);
    RUN(test_same_as_the_generator);
    RUN(test_odd_lines);
    RUN(test_reentrant);
    RUN(test_time_per_line);
    return 0;
}
