# Integration-test harness (one embedded PostgreSQL cluster per test process) and the tests
# of the embedded cluster and the migration runner.
add_library(wissen_test_cluster STATIC ${CMAKE_CURRENT_LIST_DIR}/test_cluster.cpp)
target_include_directories(wissen_test_cluster PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wissen_test_cluster
  PUBLIC wissen_store wissen_core
  PRIVATE PkgConfig::PQXX)

# Own main(): the binary re-executes itself to play a second wissen process.
add_executable(wissen_embedded_postgres_test ${CMAKE_CURRENT_LIST_DIR}/embedded_postgres_test.cpp)
target_link_libraries(wissen_embedded_postgres_test PRIVATE
  wissen_test_cluster wissen_store wissen_core PkgConfig::PQXX GTest::gtest)
gtest_discover_tests(wissen_embedded_postgres_test
  PROPERTIES LABELS integration DISCOVERY_TIMEOUT 60)

add_executable(wissen_migrator_test ${CMAKE_CURRENT_LIST_DIR}/migrator_test.cpp)
target_link_libraries(wissen_migrator_test PRIVATE
  wissen_test_cluster wissen_store wissen_migrations wissen_core PkgConfig::PQXX
  GTest::gtest GTest::gtest_main)
gtest_discover_tests(wissen_migrator_test
  PROPERTIES LABELS integration DISCOVERY_TIMEOUT 60)
