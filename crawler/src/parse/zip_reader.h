// Reading zip containers (Office files) with libzip, with limits against zip bombs.
// Private to the crawler.
#pragma once
